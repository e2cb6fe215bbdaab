using NodeAgent.Api.Security;
using NodeAgent.Controllers.Machinery;
using NodeAgent.Controllers.ServiceAccounts;

namespace NodeAgent.Cli;

/// <summary>The ServiceAccount controller: a "default" account in every namespace (docs/controllers.md).</summary>
internal sealed class ServiceAccountComponent : ApiClientComponent
{
    public override string Name => "serviceaccount controller";

    protected override IApiComponent Create(ServerEnvironment environment)
        => new ServiceAccountController(new ServiceAccountControllerOptions { LoggerFactory = environment.LoggerFactory });
}

/// <summary>The root-CA publisher: the cluster CA as ConfigMap kube-root-ca.crt in every namespace.</summary>
internal sealed class RootCaPublisherComponent : ApiClientComponent
{
    public override string Name => "root-ca-cert-publisher";

    protected override IApiComponent Create(ServerEnvironment environment)
        => new RootCaPublisher(
            new ServiceAccountControllerOptions { LoggerFactory = environment.LoggerFactory },
            File.ReadAllText(new SecurityPaths(environment.Options.DataDir).CaCertificate));
}
