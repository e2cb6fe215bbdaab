using System.Text.Json;
using System.Text.Json.Serialization;

namespace NodeAgent.Runtime.Server;

[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(bool))]
internal sealed partial class CriServerJsonContext : JsonSerializerContext;
