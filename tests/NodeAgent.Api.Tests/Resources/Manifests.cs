using k8s;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Tests.Resources;

/// <summary>Helpers for the per-kind strategy tests: YAML in, field errors and snapshots out.</summary>
internal static class Manifests
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static T Parse<T>(string yaml) => KubernetesYaml.Deserialize<T>(yaml);

    /// <summary>Asserts that exactly this error (path, Status cause reason and message) is among the errors.</summary>
    public static void HasError(IReadOnlyList<FieldError> errors, string field, string reason, string message)
    {
        Assert.True(
            errors.Any(e => e.Field == field && e.Reason == reason && e.Message == message),
            $"expected {field}: {reason}: {message}\n  got:\n    " + string.Join("\n    ", errors.Select(e => $"{e.Field}: {e.Reason}: {e.Message}")));
    }

    public static void Snapshot(object obj, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        Snapshooter.Xunit.Snapshot.Match(Newtonsoft.Json.Linq.JToken.Parse(KubernetesJson.Serialize(obj)), Snapshooter.Xunit.Snapshot.FullName(name));
}
