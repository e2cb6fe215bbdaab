using k8s;

namespace NodeAgent.Controllers.Machinery;

/// <summary>
/// A component of <c>nodeagent server</c> that is an ordinary API client (scheduler, node role, controllers): started once
/// the API answers, stopped by disposing. <see cref="StartAsync"/> returns when the component's caches have synced.
/// </summary>
public interface IApiComponent : IAsyncDisposable
{
    Task StartAsync(IKubernetes client, CancellationToken cancellationToken);
}
