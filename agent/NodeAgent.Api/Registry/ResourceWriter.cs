using System.Security.Cryptography;
using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using NodeAgent.Api.Http;
using NodeAgent.Api.Patching;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Registry;

/// <summary>
/// The write side of the registry, independent of HTTP: create, guaranteed update (read, transform,
/// compare-and-swap, retry), delete with finalizers and graceful deletion. Every object passes the
/// generic metadata handling and the kind's strategy (defaults, validation) on the typed model.
/// </summary>
public sealed partial class ResourceWriter
{
    private const int MaxAttempts = 16;
    private const string NameSuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly IRevisionedStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResourceDefinition _namespaces;

    public ResourceWriter(IRevisionedStore store, IReadOnlyList<ResourceDefinition> resources, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _store = store;
        _time = time;
        _logger = loggerFactory.CreateLogger<ResourceWriter>();
        Resources = resources;
        _namespaces = resources.Single(r => r.Group.Length == 0 && r.Plural == "namespaces");
        Namespaces = new NamespaceLifecycle(this, store, resources, _namespaces, time, loggerFactory);
    }

    public IReadOnlyList<ResourceDefinition> Resources { get; }

    internal NamespaceLifecycle Namespaces { get; }

    internal IRevisionedStore Store => _store;

    internal DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Whether upstream counts spec changes in <c>metadata.generation</c> for this kind.</summary>
    public static bool TracksGeneration(ResourceDefinition resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Group is "apps" or "batch";
    }

    public async Task<JsonObject?> GetAsync(ResourceDefinition resource, string? ns, string name, CancellationToken ct)
    {
        var kv = await _store.GetAsync(StoredObjects.Key(resource, ns, name), ct);
        return kv is null ? null : StoredObjects.Decode(kv);
    }

    public async Task<JsonObject> CreateAsync(ResourceDefinition resource, string? ns, Desired desired, WriteOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(options);
        var obj = desired.Body.DeepClone().AsObject();
        obj["apiVersion"] = resource.ApiVersion;
        obj["kind"] = resource.Kind;
        var meta = obj.Metadata();
        if (resource.Namespaced)
        {
            meta["namespace"] = ns;
            await Namespaces.EnsureWritableAsync(resource, ns!, obj.Name(), ct);
        }
        else
        {
            meta.Remove("namespace");
        }

        if (resource.HasSubresource("status") && resource.Plural != "nodes")
        {
            // Status is written through /status; a new object starts without one (the strategy may set an initial status).
            obj.Remove("status");
        }

        var now = _time.GetUtcNow();
        var model = (IMetadata<V1ObjectMeta>)ModelJson.ToModel(obj, resource.ModelType);
        var m = model.Metadata ??= new V1ObjectMeta();
        if (string.IsNullOrEmpty(m.Name) && !string.IsNullOrEmpty(m.GenerateName))
        {
            m.Name = m.GenerateName + RandomSuffix();
        }

        m.Uid = Guid.NewGuid().ToString();
        m.CreationTimestamp = WholeSeconds(now);
        m.DeletionTimestamp = null;
        m.DeletionGracePeriodSeconds = null;
        m.ResourceVersion = null;
        m.Generation = TracksGeneration(resource) ? 1 : null;
        resource.Strategy.ApplyDefaults(model);
        resource.Strategy.PrepareForCreate(model);
        NamespaceLifecycle.PrepareForCreate(resource, model);

        var errors = MetadataValidation.Validate(m, resource);
        errors.AddRange(resource.Strategy.ValidateCreate(model));
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(resource, m.Name ?? m.GenerateName ?? "", errors);
        }

        JsonObject result = ModelJson.ToJson(model);
        if (!desired.ManagedFieldsRecorded)
        {
            result.Metadata().Remove("managedFields");
            result = ServerSideApply.RecordUpdate(null, result, options.FieldManager, now, PatchSchema.For(resource.ApiVersion, resource.Kind)).AsObject();
        }

        if (options.DryRun)
        {
            return result;
        }

        var admission = resource.Strategy as IAsyncAdmission;
        if (admission is not null)
        {
            await AdmitAsync(resource, m.Name!, () => admission.AdmitCreateAsync(model, ct));
            result = ModelJson.ToJson(model).Let(o => o.Metadata()["managedFields"] = result.Metadata()["managedFields"]?.DeepClone());
        }

        try
        {
            var kv = await _store.CreateAsync(StoredObjects.Key(resource, ns, m.Name!), StoredObjects.Encode(result), ct);
            Written(resource, kv);
            return StoredObjects.Decode(kv);
        }
        catch (Exception e)
        {
            if (admission is not null)
            {
                await admission.ReleaseAsync(model, CancellationToken.None);
            }

            if (e is StorageException { Kind: StorageErrorKind.AlreadyExists })
            {
                throw ApiException.AlreadyExists(resource, m.Name!);
            }

            throw;
        }
    }

    /// <summary>
    /// Reads the live object, lets <paramref name="transform"/> compute the desired one, and writes it with
    /// compare-and-swap, retrying on a concurrent write (the transform sees the new live object and may
    /// throw a conflict when its precondition no longer holds). <paramref name="createIfAbsent"/> gets the
    /// desired object for a missing one (null: 404).
    /// </summary>
    public async Task<UpdateResult> UpdateAsync(
        ResourceDefinition resource,
        string? ns,
        string name,
        string? subresource,
        Func<JsonObject, Desired> transform,
        Func<Desired>? createIfAbsent,
        WriteOptions options,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(transform);
        ArgumentNullException.ThrowIfNull(options);
        var key = StoredObjects.Key(resource, ns, name);
        for (var attempt = 0; ; attempt++)
        {
            var kv = await _store.GetAsync(key, ct);
            if (kv is null)
            {
                if (createIfAbsent is null)
                {
                    throw ApiException.NotFound(resource, name);
                }

                try
                {
                    return new UpdateResult(await CreateAsync(resource, ns, createIfAbsent(), options, ct), Created: true);
                }
                catch (ApiException e) when (e.Reason == "AlreadyExists" && attempt < MaxAttempts)
                {
                    continue;
                }
            }

            var live = StoredObjects.Decode(kv);
            var desired = transform(live.DeepClone().AsObject());
            var result = PrepareUpdate(resource, subresource, live, desired, options);
            if (JsonNode.DeepEquals(ObjectMeta.WithoutResourceVersion(result), ObjectMeta.WithoutResourceVersion(live)))
            {
                return new UpdateResult(live, Created: false);
            }

            if (result.IsDeleting() && result.Finalizers().Count == 0 && (result.Metadata().GetLong("deletionGracePeriodSeconds") ?? 0) == 0)
            {
                // The last finalizer is gone from an object being deleted: the update completes the deletion.
                if (options.DryRun)
                {
                    return new UpdateResult(result, Created: false);
                }

                try
                {
                    await RemoveAsync(resource, ns, name, kv.ModRevision, ct);
                    return new UpdateResult(result, Created: false);
                }
                catch (StorageException e) when (e.Kind is StorageErrorKind.Conflict or StorageErrorKind.NotFound && attempt < MaxAttempts)
                {
                    continue;
                }
            }

            if (options.DryRun)
            {
                return new UpdateResult(result, Created: false);
            }

            if (resource.Strategy is IAsyncAdmission admission)
            {
                await AdmitAsync(resource, name, () => admission.AdmitUpdateAsync(ModelJson.ToModel(result, resource.ModelType), ModelJson.ToModel(live, resource.ModelType), ct));
            }

            try
            {
                var written = await _store.UpdateAsync(key, StoredObjects.Encode(result), kv.ModRevision, ct);
                Written(resource, written);
                return new UpdateResult(StoredObjects.Decode(written), Created: false);
            }
            catch (StorageException e) when (e.Kind is StorageErrorKind.Conflict or StorageErrorKind.NotFound && attempt < MaxAttempts)
            {
                LogRetry(_logger, key, attempt);
            }
        }
    }

    private JsonObject PrepareUpdate(ResourceDefinition resource, string? subresource, JsonObject live, Desired desired, WriteOptions options)
    {
        var incoming = desired.Body.DeepClone().AsObject();
        JsonObject obj;
        if (subresource == "status")
        {
            // A status write changes only the status (and, for apply, the managedFields that record it).
            obj = live.DeepClone().AsObject();
            obj["status"] = incoming["status"]?.DeepClone();
            if (desired.ManagedFieldsRecorded)
            {
                obj.Metadata()["managedFields"] = incoming.Metadata()["managedFields"]?.DeepClone();
            }
        }
        else
        {
            obj = incoming;
            if (resource.HasSubresource("status") && subresource != "binding")
            {
                // The main resource keeps the stored status; only /status changes it.
                obj["status"] = live["status"]?.DeepClone();
            }
        }

        obj["apiVersion"] = resource.ApiVersion;
        obj["kind"] = resource.Kind;
        var meta = obj.Metadata();
        var liveMeta = live.Metadata();
        var uid = meta.GetString("uid");
        if (!string.IsNullOrEmpty(uid) && uid != live.Uid())
        {
            throw ApiException.Conflict(resource, live.Name(), $"Precondition failed: UID in precondition: {uid}, UID in object meta: {live.Uid()}");
        }

        foreach (var field in new[] { "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
        {
            meta[field] = liveMeta[field]?.DeepClone();
        }

        if (!desired.ManagedFieldsRecorded)
        {
            meta["managedFields"] = liveMeta["managedFields"]?.DeepClone();
        }

        var model = (IMetadata<V1ObjectMeta>)ModelJson.ToModel(obj, resource.ModelType);
        resource.Strategy.ApplyDefaults(model);
        var errors = MetadataValidation.Validate(model.Metadata ?? new V1ObjectMeta(), resource);
        if (subresource != "binding")
        {
            // Binding sets spec.nodeName, which the pod strategy rightly calls immutable for ordinary updates.
            errors.AddRange(resource.Strategy.ValidateUpdate(model, ModelJson.ToModel(live, resource.ModelType)));
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(resource, live.Name(), errors);
        }

        var result = ModelJson.ToJson(model);
        if (TracksGeneration(resource))
        {
            var generation = live.Metadata().GetLong("generation") ?? 1;
            var specChanged = !JsonNode.DeepEquals(ObjectMeta.SpecPart(result), ObjectMeta.SpecPart(live));
            result.Metadata()["generation"] = specChanged ? generation + 1 : generation;
        }

        if (!desired.ManagedFieldsRecorded)
        {
            result = ServerSideApply.RecordUpdate(live, result, options.FieldManager, _time.GetUtcNow(), PatchSchema.For(resource.ApiVersion, resource.Kind)).AsObject();
        }

        result.Metadata()["resourceVersion"] = live.ResourceVersion();
        return result;
    }

    /// <summary>Removes the key (compare-and-swap on <paramref name="modRevision"/>) and tells whoever cares.</summary>
    internal async Task RemoveAsync(ResourceDefinition resource, string? ns, string name, long modRevision, CancellationToken ct)
    {
        var removed = await _store.DeleteAsync(StoredObjects.Key(resource, ns, name), modRevision, ct);
        if (resource == _namespaces)
        {
            Namespaces.Cache.ObserveRemoved(removed.Key, removed.ModRevision);
        }

        if (resource.Strategy is IAsyncAdmission admission)
        {
            await admission.ReleaseAsync(ModelJson.ToModel(StoredObjects.Decode(removed), resource.ModelType), CancellationToken.None);
        }

        if (resource.Namespaced && ns is not null)
        {
            await Namespaces.OnObjectRemovedAsync(ns, ct);
        }
    }

    /// <summary>A namespace write is recorded in the namespace cache at once, so the next create never sees an older state.</summary>
    private void Written(ResourceDefinition resource, KeyValue kv)
    {
        if (resource == _namespaces)
        {
            Namespaces.Cache.Observe(kv);
        }
    }

    /// <summary>metav1.Time has whole-second precision on the wire.</summary>
    internal static DateTime WholeSeconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    private static string RandomSuffix() => string.Create(5, 0, static (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = NameSuffixAlphabet[RandomNumberGenerator.GetInt32(NameSuffixAlphabet.Length)];
        }
    });

    [LoggerMessage(Level = LogLevel.Debug, Message = "Update of {Key} lost a compare-and-swap race (attempt {Attempt}); retrying")]
    private static partial void LogRetry(ILogger logger, string key, int attempt);

    /// <summary>An admission step that rejects the object (a taken clusterIP) answers like validation: 422 with causes.</summary>
    private static async Task AdmitAsync(ResourceDefinition resource, string name, Func<Task> admit)
    {
        try
        {
            await admit();
        }
        catch (FieldErrorsException e)
        {
            throw ApiException.Invalid(resource, name, e.Errors);
        }
        catch (AdmissionForbiddenException e)
        {
            throw ApiException.Forbidden(resource, name, e.Message);
        }
    }
}

/// <summary>The object after an update, and whether the update created it.</summary>
public sealed record UpdateResult(JsonObject Body, bool Created);

internal static class JsonObjectExtensions
{
    public static JsonObject Let(this JsonObject obj, Action<JsonObject> action)
    {
        action(obj);
        return obj;
    }
}
