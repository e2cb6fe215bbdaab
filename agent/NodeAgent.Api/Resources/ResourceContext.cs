using System.Net;
using NodeAgent.Storage;

namespace NodeAgent.Api.Resources;

/// <summary>What strategies may need beyond the object itself: the store (for allocators), the service CIDR, time.</summary>
public sealed record ResourceContext(IRevisionedStore Store, IPNetwork ServiceCidr, TimeProvider Time);
