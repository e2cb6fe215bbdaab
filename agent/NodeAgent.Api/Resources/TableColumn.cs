namespace NodeAgent.Api.Resources;

/// <summary>
/// A column of the <c>meta.k8s.io/v1 Table</c> that <c>kubectl get</c> prints. Priority 0 columns show
/// by default, priority 1 only with <c>-o wide</c>. Type is an OpenAPI type ("string", "integer", "date").
/// </summary>
public sealed record TableColumn(string Name, string Type, string Description, int Priority = 0, string Format = "");
