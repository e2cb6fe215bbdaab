using NodeAgent.Controllers.Machinery;
using NodeAgent.Controllers.Scheduler;

namespace NodeAgent.Cli;

/// <summary>The default scheduler (docs/controllers.md).</summary>
internal sealed class SchedulerComponent : ApiClientComponent
{
    public override string Name => "scheduler";

    protected override IApiComponent Create(ServerEnvironment environment)
        => new PodScheduler(new SchedulerOptions { LoggerFactory = environment.LoggerFactory });
}
