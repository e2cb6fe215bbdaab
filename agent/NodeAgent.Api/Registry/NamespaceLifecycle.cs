using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using NodeAgent.Api.Http;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Registry;

/// <summary>
/// Namespace rules the API server enforces itself: new content needs an existing, non-terminating
/// namespace; deleting a namespace marks it Terminating, deletes everything in it and removes it once
/// it is empty. The emptying is done inline here until the namespace controller exists; objects that
/// linger (finalizers, graceful pods) finish it when they are finally removed.
/// </summary>
internal sealed class NamespaceLifecycle
{
    public const string KubernetesFinalizer = "kubernetes";

    private readonly ResourceWriter _writer;
    private readonly IRevisionedStore _store;
    private readonly IReadOnlyList<ResourceDefinition> _namespaced;
    private readonly ResourceDefinition _namespaces;

    public NamespaceLifecycle(
        ResourceWriter writer, IRevisionedStore store, IReadOnlyList<ResourceDefinition> resources, ResourceDefinition namespaces, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _writer = writer;
        _store = store;
        _namespaced = resources.Where(r => r.Namespaced && !r.CreateOnly).ToList();
        _namespaces = namespaces;
        Cache = new NamespaceCache(store, StoredObjects.Prefix(namespaces, null), time, loggerFactory);
    }

    /// <summary>Answers the create path's namespace check once started (<see cref="NamespaceCache.StartAsync"/>); until then every check reads the store.</summary>
    public NamespaceCache Cache { get; }

    /// <summary>A new namespace is Active and carries the <c>kubernetes</c> finalizer in its spec, as upstream's.</summary>
    public static void PrepareForCreate(ResourceDefinition resource, object model)
    {
        if (model is not V1Namespace ns || resource.Group.Length != 0)
        {
            return;
        }

        ns.Status ??= new V1NamespaceStatus();
        ns.Status.Phase ??= "Active";
        ns.Spec ??= new V1NamespaceSpec();
        ns.Spec.Finalizers ??= [KubernetesFinalizer];
    }

    /// <summary>New content needs the namespace to exist (404 otherwise) and not be terminating (403), as upstream's NamespaceLifecycle admission.</summary>
    public async Task EnsureWritableAsync(ResourceDefinition resource, string ns, string name, CancellationToken ct)
    {
        if (!Cache.TryGet(ns, out var terminating))
        {
            // Not in the cache (new, unknown, or the watch is down): the store decides.
            var kv = await _store.GetAsync(StoredObjects.Key(_namespaces, null, ns), ct) ?? throw ApiException.NamespaceNotFound(ns);
            Cache.Observe(kv);
            terminating = NamespaceCache.IsTerminating(StoredObjects.Decode(kv));
        }

        if (terminating)
        {
            throw ApiException.Forbidden(resource, name, $"unable to create new content in namespace {ns} because it is being terminated", "NamespaceTerminating");
        }
    }

    public async Task<DeleteResult> DeleteAsync(string name, V1DeleteOptions options, bool dryRun, CancellationToken ct)
    {
        if (name is "default" or "kube-system" or "kube-public")
        {
            throw ApiException.Forbidden(_namespaces, name, "this namespace may not be deleted");
        }

        var key = StoredObjects.Key(_namespaces, null, name);
        JsonObject terminating;
        while (true)
        {
            var kv = await _store.GetAsync(key, ct) ?? throw ApiException.NotFound(_namespaces, name);
            var live = StoredObjects.Decode(kv);
            ResourceWriter.CheckPreconditions(_namespaces, live, options.Preconditions);
            if (live.IsDeleting())
            {
                terminating = live;
                break;
            }

            terminating = live.DeepClone().AsObject();
            terminating.Metadata()["deletionTimestamp"] = ObjectMeta.Timestamp(_writer.Now);
            terminating.Metadata()["deletionGracePeriodSeconds"] = 0;
            terminating["status"] = new JsonObject { ["phase"] = "Terminating" };
            if (dryRun)
            {
                return new DeleteResult(terminating, Removed: false);
            }

            try
            {
                var written = await _store.UpdateAsync(key, StoredObjects.Encode(terminating), kv.ModRevision, ct);
                Cache.Observe(written);
                terminating = StoredObjects.Decode(written);
                break;
            }
            catch (StorageException e) when (e.Kind is StorageErrorKind.Conflict)
            {
                // Someone wrote the namespace meanwhile: read it again.
            }
        }

        if (dryRun)
        {
            return new DeleteResult(terminating, Removed: false);
        }

        await PurgeAsync(name, ct);
        var removed = await TryFinishAsync(name, ct);
        return new DeleteResult(terminating, removed);
    }

    /// <summary>Called after any namespaced object is removed: a terminating namespace that became empty goes too.</summary>
    public async Task OnObjectRemovedAsync(string ns, CancellationToken ct)
    {
        var kv = await _store.GetAsync(StoredObjects.Key(_namespaces, null, ns), ct);
        if (kv is not null && StoredObjects.Decode(kv).IsDeleting())
        {
            await TryFinishAsync(ns, ct);
        }
    }

    private async Task PurgeAsync(string ns, CancellationToken ct)
    {
        foreach (var resource in _namespaced)
        {
            var list = await _store.ListAsync(StoredObjects.Prefix(resource, ns), 0, null, 0, ct);
            foreach (var kv in list.Items)
            {
                var obj = StoredObjects.Decode(kv);
                try
                {
                    await _writer.DeleteAsync(resource, ns, obj.Name(), new V1DeleteOptions(), dryRun: false, ct);
                }
                catch (ApiException e) when (e.Code == 404)
                {
                    // Gone already: someone else deleted it meanwhile.
                }
            }
        }
    }

    private async Task<bool> TryFinishAsync(string ns, CancellationToken ct)
    {
        foreach (var resource in _namespaced)
        {
            var list = await _store.ListAsync(StoredObjects.Prefix(resource, ns), 0, null, 1, ct);
            if (list.Items.Count > 0)
            {
                return false;
            }
        }

        var kv = await _store.GetAsync(StoredObjects.Key(_namespaces, null, ns), ct);
        if (kv is null || StoredObjects.Decode(kv).Finalizers().Count > 0)
        {
            return false;
        }

        try
        {
            var removed = await _store.DeleteAsync(kv.Key, kv.ModRevision, ct);
            Cache.ObserveRemoved(kv.Key, removed.ModRevision);
            return true;
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.Conflict or StorageErrorKind.NotFound)
        {
            return false;
        }
    }
}
