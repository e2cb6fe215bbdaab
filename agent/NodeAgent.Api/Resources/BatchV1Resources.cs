using k8s.Models;

namespace NodeAgent.Api.Resources;

/// <summary>batch/v1.</summary>
public static class BatchV1Resources
{
    public static IEnumerable<ResourceDefinition> All(ResourceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return
        [
            BuiltinResources.Define<V1Job, V1JobList>("batch", "jobs", true, new Batch.JobStrategy(), categories: ["all"], subresources: ["status"]),
            BuiltinResources.Define<V1CronJob, V1CronJobList>("batch", "cronjobs", true, new Batch.CronJobStrategy(), ["cj"], ["all"], ["status"]),
        ];
    }
}
