using System.Net;
using NodeAgent.Storage;

namespace NodeAgent.Api.Resources;

/// <summary>What strategies may need beyond the object itself: the store (for allocators), the service CIDR, time.</summary>
/// <param name="ServiceAccounts">
/// Service-account tokens are issued: the serviceaccounts/token subresource is served and new pods pass the
/// ServiceAccount admission (their account must exist; the token volume is added). Off for an API server without
/// the controllers that create every namespace's "default" account.
/// </param>
public sealed record ResourceContext(IRevisionedStore Store, IPNetwork ServiceCidr, TimeProvider Time, bool ServiceAccounts = false);
