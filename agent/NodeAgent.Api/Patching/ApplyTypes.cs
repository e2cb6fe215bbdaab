using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace NodeAgent.Api.Patching;

/// <summary>Who applies, whether they take over conflicting fields, when, and to which subresource ("status" or null).</summary>
public sealed record ApplyOptions(string FieldManager, bool Force, DateTimeOffset Time, string? Subresource = null);

/// <summary>A field another manager owns with a different value; <see cref="FieldPath"/> looks like <c>.spec.replicas</c>.</summary>
public sealed record ApplyConflict(string Manager, string FieldPath);

/// <summary>The object after apply (unchanged when there are conflicts) and the conflicts that stopped it.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "\"Object\" is the Kubernetes noun for what apply returns.")]
public sealed record ApplyResult(JsonNode Object, IReadOnlyList<ApplyConflict> Conflicts);
