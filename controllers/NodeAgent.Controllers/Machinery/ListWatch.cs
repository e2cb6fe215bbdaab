using k8s;
using k8s.Autorest;
using k8s.Models;

namespace NodeAgent.Controllers.Machinery;

/// <summary>One page of a list: its items, the list's resourceVersion, and the continue token of the next page.</summary>
public sealed record ListPage<T>(IList<T> Items, string? ResourceVersion, string? Continue);

/// <summary>
/// How an informer lists and watches one resource through the API (client-go's ListWatch). Both functions are thin
/// wrappers around the generated KubernetesClient operations, so every byte on the wire is the client's.
/// </summary>
public sealed record ListWatch<T>(
    Func<string? /*continue*/, CancellationToken, Task<ListPage<T>>> List,
    Func<string /*resourceVersion*/, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Object)>> Watch)
    where T : IKubernetesObject<V1ObjectMeta>;

/// <summary>ListWatches for the resources the node role and scheduler need; selectors are applied server-side.</summary>
public static class ListWatches
{
    /// <summary>Page size of the initial list (client-go's reflector uses 500).</summary>
    public const int PageSize = 500;

    /// <summary>
    /// The server ends each watch after this long and the informer resumes from its last resourceVersion. Randomised per
    /// watch like client-go (5–10 min there); shorter here so the client's own HTTP timeout never fires first.
    /// </summary>
    private static int WatchTimeoutSeconds() => 60 + Random.Shared.Next(30);

    public static ListWatch<V1Pod> Pods(IKubernetes client, string? fieldSelector = null, string? labelSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new(
            async (next, ct) => Page(await client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: next, fieldSelector: fieldSelector, labelSelector: labelSelector, limit: PageSize, cancellationToken: ct).ConfigureAwait(false)),
            (rv, onError, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: rv, timeoutSeconds: WatchTimeoutSeconds(), onError: onError, cancellationToken: ct));
    }

    public static ListWatch<V1Node> Nodes(IKubernetes client, string? fieldSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new(
            async (next, ct) => Page(await client.CoreV1.ListNodeAsync(continueParameter: next, fieldSelector: fieldSelector, limit: PageSize, cancellationToken: ct).ConfigureAwait(false)),
            (rv, onError, ct) => client.CoreV1.WatchListNodeAsync(allowWatchBookmarks: true, fieldSelector: fieldSelector, resourceVersion: rv, timeoutSeconds: WatchTimeoutSeconds(), onError: onError, cancellationToken: ct));
    }

    public static ListWatch<V1ConfigMap> ConfigMaps(IKubernetes client, string? fieldSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new(
            async (next, ct) => Page(await client.CoreV1.ListConfigMapForAllNamespacesAsync(continueParameter: next, fieldSelector: fieldSelector, limit: PageSize, cancellationToken: ct).ConfigureAwait(false)),
            (rv, onError, ct) => client.CoreV1.WatchListConfigMapForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: fieldSelector, resourceVersion: rv, timeoutSeconds: WatchTimeoutSeconds(), onError: onError, cancellationToken: ct));
    }

    public static ListWatch<V1Namespace> Namespaces(IKubernetes client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new(
            async (next, ct) => Page(await client.CoreV1.ListNamespaceAsync(continueParameter: next, limit: PageSize, cancellationToken: ct).ConfigureAwait(false)),
            (rv, onError, ct) => client.CoreV1.WatchListNamespaceAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchTimeoutSeconds(), onError: onError, cancellationToken: ct));
    }

    public static ListWatch<V1ServiceAccount> ServiceAccounts(IKubernetes client, string? fieldSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new(
            async (next, ct) => Page(await client.CoreV1.ListServiceAccountForAllNamespacesAsync(continueParameter: next, fieldSelector: fieldSelector, limit: PageSize, cancellationToken: ct).ConfigureAwait(false)),
            (rv, onError, ct) => client.CoreV1.WatchListServiceAccountForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: fieldSelector, resourceVersion: rv, timeoutSeconds: WatchTimeoutSeconds(), onError: onError, cancellationToken: ct));
    }

    public static ListWatch<V1Secret> Secrets(IKubernetes client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new(
            async (next, ct) => Page(await client.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: next, limit: PageSize, cancellationToken: ct).ConfigureAwait(false)),
            (rv, onError, ct) => client.CoreV1.WatchListSecretForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchTimeoutSeconds(), onError: onError, cancellationToken: ct));
    }

    private static ListPage<T> Page<T>(IItems<T> list) where T : IKubernetesObject<V1ObjectMeta>
    {
        var meta = ((IMetadata<V1ListMeta>)list).Metadata;
        return new ListPage<T>(list.Items ?? [], meta?.ResourceVersion, string.IsNullOrEmpty(meta?.ContinueProperty) ? null : meta.ContinueProperty);
    }
}

/// <summary>Recognises API errors by HTTP status, the way apimachinery's errors.IsNotFound/IsConflict do.</summary>
public static class ApiErrors
{
    public static bool IsNotFound(Exception e) => StatusOf(e) == 404;

    public static bool IsConflict(Exception e) => StatusOf(e) == 409;

    public static bool IsAlreadyExists(Exception e) => StatusOf(e) == 409;

    public static bool IsGone(Exception e) => StatusOf(e) == 410;

    public static int? StatusOf(Exception e) => e switch
    {
        HttpOperationException h => (int?)h.Response?.StatusCode,
        KubernetesException k => k.Status?.Code,
        _ => null,
    };
}
