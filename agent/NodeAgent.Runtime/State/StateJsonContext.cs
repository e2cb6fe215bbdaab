using System.Text.Json.Serialization;
using NodeAgent.Runtime.Containers;
using NodeAgent.Runtime.Sandboxes;

namespace NodeAgent.Runtime.State;

[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SandboxRecord))]
[JsonSerializable(typeof(ContainerRecord))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
