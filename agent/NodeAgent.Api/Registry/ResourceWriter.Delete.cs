using System.Text.Json.Nodes;
using k8s.Models;
using NodeAgent.Api.Http;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Registry;

/// <summary>The outcome of a delete: the object as last seen, and whether it is gone (false: it lingers with a deletionTimestamp).</summary>
public sealed record DeleteResult(JsonObject Body, bool Removed);

public sealed partial class ResourceWriter
{
    private const long DefaultPodGracePeriodSeconds = 30;

    /// <summary>
    /// Deletes an object as upstream's generic store does: preconditions (uid, resourceVersion) → 409;
    /// objects with finalizers get a deletionTimestamp and stay until the finalizers are gone; pods bound
    /// to a node are deleted gracefully (deletionTimestamp + grace period; the node finishes with grace 0);
    /// everything else is removed at once. Propagation policies are accepted but there is no garbage
    /// collector yet, so dependents are not touched.
    /// </summary>
    public async Task<DeleteResult> DeleteAsync(ResourceDefinition resource, string? ns, string name, V1DeleteOptions options, bool dryRun, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(options);
        if (resource == _namespaces)
        {
            return await Namespaces.DeleteAsync(name, options, dryRun, ct);
        }

        var key = StoredObjects.Key(resource, ns, name);
        for (var attempt = 0; ; attempt++)
        {
            var kv = await _store.GetAsync(key, ct) ?? throw ApiException.NotFound(resource, name);
            var live = StoredObjects.Decode(kv);
            CheckPreconditions(resource, live, options.Preconditions);

            var grace = GracePeriod(resource, live, options);
            var hasFinalizers = live.Finalizers().Count > 0;
            if (grace > 0 || hasFinalizers)
            {
                var lingering = MarkDeleting(live, grace);
                if (lingering is null)
                {
                    return new DeleteResult(live, Removed: false);
                }

                if (dryRun)
                {
                    return new DeleteResult(lingering, Removed: false);
                }

                try
                {
                    var written = await _store.UpdateAsync(key, StoredObjects.Encode(lingering), kv.ModRevision, ct);
                    return new DeleteResult(StoredObjects.Decode(written), Removed: false);
                }
                catch (StorageException e) when (e.Kind is StorageErrorKind.Conflict && attempt < MaxAttempts)
                {
                    continue;
                }
            }

            if (dryRun)
            {
                return new DeleteResult(live, Removed: true);
            }

            try
            {
                await RemoveAsync(resource, ns, name, kv.ModRevision, ct);
                return new DeleteResult(live, Removed: true);
            }
            catch (StorageException e) when (e.Kind is StorageErrorKind.Conflict && attempt < MaxAttempts)
            {
                LogRetry(_logger, key, attempt);
            }
            catch (StorageException e) when (e.Kind is StorageErrorKind.NotFound)
            {
                throw ApiException.NotFound(resource, name);
            }
        }
    }

    internal static void CheckPreconditions(ResourceDefinition resource, JsonObject live, V1Preconditions? preconditions)
    {
        if (preconditions?.Uid is { Length: > 0 } uid && uid != live.Uid())
        {
            throw ApiException.Conflict(resource, live.Name(), $"Precondition failed: UID in precondition: {uid}, UID in object meta: {live.Uid()}");
        }

        if (preconditions?.ResourceVersion is { Length: > 0 } rv && rv != live.ResourceVersion())
        {
            throw ApiException.Conflict(resource, live.Name(), $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {live.ResourceVersion()}");
        }
    }

    /// <summary>
    /// Seconds the object may linger: only pods bound to a node that has not finished them get a grace
    /// period (the node's kubelet ends it with a delete of grace 0); everything else goes at once.
    /// </summary>
    private static long GracePeriod(ResourceDefinition resource, JsonObject live, V1DeleteOptions options)
    {
        if (resource.Group.Length != 0 || resource.Plural != "pods")
        {
            return 0;
        }

        var spec = live["spec"] as JsonObject;
        var phase = (live["status"] as JsonObject)?.GetString("phase");
        if (string.IsNullOrEmpty(spec?.GetString("nodeName")) || phase is "Succeeded" or "Failed")
        {
            return 0;
        }

        var requested = options.GracePeriodSeconds ?? spec.GetLong("terminationGracePeriodSeconds") ?? DefaultPodGracePeriodSeconds;
        return Math.Max(0, requested);
    }

    /// <summary>The object with deletionTimestamp and grace set, or null when an earlier delete already set an equal or shorter one.</summary>
    private JsonObject? MarkDeleting(JsonObject live, long grace)
    {
        var meta = live.Metadata();
        var current = meta.GetLong("deletionGracePeriodSeconds");
        if (live.IsDeleting() && current is not null && current <= grace)
        {
            return null;
        }

        var lingering = live.DeepClone().AsObject();
        var lingeringMeta = lingering.Metadata();
        lingeringMeta["deletionTimestamp"] = ObjectMeta.Timestamp(_time.GetUtcNow().AddSeconds(grace));
        lingeringMeta["deletionGracePeriodSeconds"] = grace;
        if (TracksGeneration(ResourceOf(live)))
        {
            lingeringMeta["generation"] = (meta.GetLong("generation") ?? 1) + 1;
        }

        return lingering;
    }

    private ResourceDefinition ResourceOf(JsonObject obj)
    {
        var apiVersion = obj.GetString("apiVersion");
        var kind = obj.GetString("kind");
        return Resources.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind) ?? _namespaces;
    }
}
