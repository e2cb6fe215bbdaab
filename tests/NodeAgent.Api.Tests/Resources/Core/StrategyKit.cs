using System.Net;
using System.Runtime.CompilerServices;
using k8s;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Tests.Resources.Core;

/// <summary>Helpers shared by the strategy tests: objects from YAML, errors as comparable lines, snapshots.</summary>
internal static class StrategyKit
{
    public static readonly IPNetwork ServiceCidr = IPNetwork.Parse("10.43.0.0/16");

    /// <summary>A fixed "now" for Table cells.</summary>
    public static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A context whose store must not be touched (pure defaulting, validation and printing).</summary>
    public static ResourceContext UnitContext() => new(new UnusedStore(), ServiceCidr, TimeProvider.System);

    public static T Yaml<T>(string yaml) => KubernetesYaml.Deserialize<T>(yaml);

    /// <summary>Each error as <c>field|reason|message</c>, the way a Status cause carries it.</summary>
    public static string[] Lines(IEnumerable<FieldError> errors) => errors.Select(e => $"{e.Field}|{e.Reason}|{e.Message}").ToArray();

    /// <summary>Snapshot of the object in the client's JSON form (what the API would return).</summary>
    public static void MatchJson(object obj, [CallerMemberName] string name = "") =>
        Snapshooter.Xunit.Snapshot.Match(Newtonsoft.Json.Linq.JToken.Parse(KubernetesJson.Serialize(obj)), Snapshooter.Xunit.Snapshot.FullName(name));

    /// <summary>Runs the handler's create steps on a strategy: defaults, create preparation, validation.</summary>
    public static IReadOnlyList<FieldError> Create(IResourceStrategy strategy, object obj)
    {
        strategy.ApplyDefaults(obj);
        strategy.PrepareForCreate(obj);
        return strategy.ValidateCreate(obj);
    }

    private sealed class UnusedStore : IRevisionedStore
    {
        public Task<long> CurrentRevisionAsync(CancellationToken ct) => throw Unused();

        public Task<KeyValue?> GetAsync(string key, CancellationToken ct) => throw Unused();

        public Task<ListResult> ListAsync(string prefix, long revision, string? startAfterKey, int limit, CancellationToken ct) => throw Unused();

        public Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct) => throw Unused();

        public Task<KeyValue> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedModRevision, CancellationToken ct) => throw Unused();

        public Task<KeyValue> DeleteAsync(string key, long? expectedModRevision, CancellationToken ct) => throw Unused();

        public IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long fromRevision, CancellationToken ct) => throw Unused();

        public Task CompactAsync(long revision, CancellationToken ct) => throw Unused();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private static InvalidOperationException Unused() => new("a unit test touched the store");
    }
}
