using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using NodeAgent.Controllers.Machinery;

namespace NodeAgent.Controllers.ServiceAccounts;

public sealed record ServiceAccountControllerOptions
{
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
}

/// <summary>
/// Keeps one object of kind <typeparamref name="T"/> with a fixed name in every active namespace (the shape of
/// upstream's ServiceAccount controller and root-CA publisher): namespaces and the objects of that name are
/// watched; the key is the namespace; a missing object is created, a drifted one is put back.
/// </summary>
public abstract partial class NamespaceObjectPublisher<T> : IApiComponent, IReconciler
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ServiceAccountControllerOptions _options;
    private readonly ILogger _logger;
    private SharedInformer<V1Namespace>? _namespaces;
    private SharedInformer<T>? _objects;
    private ReconcilerHost? _host;

    protected NamespaceObjectPublisher(ServiceAccountControllerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = options.LoggerFactory.CreateLogger(GetType());
    }

    /// <summary>Name in logs and metrics.</summary>
    protected abstract string Name { get; }

    /// <summary>The name of the object kept in every namespace.</summary>
    protected abstract string ObjectName { get; }

    protected IKubernetes Client { get; private set; } = null!;

    public async Task StartAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        Client = client;
        var time = _options.Time;
        _namespaces = new SharedInformer<V1Namespace>(ListWatches.Namespaces(client), "namespaces", time, _options.LoggerFactory.CreateLogger<SharedInformer<V1Namespace>>());
        _objects = new SharedInformer<T>(ListWatch(client, $"metadata.name={ObjectName}"), typeof(T).Name, time, _options.LoggerFactory.CreateLogger<SharedInformer<T>>());
        _host = new ReconcilerHost(this, new ReconcilerHostOptions { Name = Name, Time = time }, _options.LoggerFactory.CreateLogger<ReconcilerHost>());
        _namespaces.AddHandler(new InformerHandler<V1Namespace>
        {
            OnAdd = ns => _host.Enqueue(ObjectKey.Cluster(ns.Metadata.Name)),
            OnUpdate = (_, ns) => _host.Enqueue(ObjectKey.Cluster(ns.Metadata.Name)),
        });
        _objects.AddHandler(new InformerHandler<T>
        {
            OnUpdate = (_, obj) => _host.Enqueue(ObjectKey.Cluster(obj.Metadata.NamespaceProperty)),
            OnDelete = obj => _host.Enqueue(ObjectKey.Cluster(obj.Metadata.NamespaceProperty)),
        });
        _namespaces.Start();
        _objects.Start();
        await Task.WhenAll(_namespaces.WaitForSyncAsync(cancellationToken), _objects.WaitForSyncAsync(cancellationToken)).ConfigureAwait(false);
        _host.Start();
    }

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var ns = _namespaces!.Cache.Get(key);
        if (ns is null || ns.Metadata.DeletionTimestamp is not null || ns.Status?.Phase == "Terminating")
        {
            // Nothing new may be created in a terminating namespace; its content goes with it.
            return ReconcileResult.Done;
        }

        var existing = _objects!.Cache.Get(new ObjectKey(key.Name, ObjectName));
        try
        {
            if (existing is null)
            {
                await CreateAsync(key.Name, cancellationToken).ConfigureAwait(false);
                LogCreated(_logger, Name, key.Name, ObjectName);
            }
            else if (existing.Metadata.DeletionTimestamp is null && NeedsUpdate(existing))
            {
                await UpdateAsync(existing, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e) || ApiErrors.StatusOf(e) is 403 or 404)
        {
            // Created meanwhile (the cache catches up and calls again), or the namespace started terminating or went away.
        }

        return ReconcileResult.Done;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        if (_objects is not null)
        {
            await _objects.DisposeAsync().ConfigureAwait(false);
        }

        if (_namespaces is not null)
        {
            await _namespaces.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    protected abstract ListWatch<T> ListWatch(IKubernetes client, string fieldSelector);

    protected abstract Task CreateAsync(string ns, CancellationToken cancellationToken);

    /// <summary>Whether a live object differs from what is published (false: only existence matters).</summary>
    protected virtual bool NeedsUpdate(T existing) => false;

    protected virtual Task UpdateAsync(T existing, CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Controller}: created {Name} in namespace {Namespace}")]
    private static partial void LogCreated(ILogger logger, string controller, string @namespace, string name);
}
