namespace NodeAgent.Api;

/// <summary>The Kubernetes API server (DESIGN.md §4): REST conventions over the revisioned store.</summary>
internal static class ApiAssembly
{
    public const string Name = "NodeAgent.Api";
}
