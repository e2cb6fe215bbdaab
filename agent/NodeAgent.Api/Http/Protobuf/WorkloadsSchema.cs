using static NodeAgent.Api.Http.Protobuf.ProtoField;

namespace NodeAgent.Api.Http.Protobuf;

/// <summary>k8s.io/api apps/v1 and batch/v1 messages (field numbers from their generated.proto).</summary>
internal static class WorkloadsSchema
{
    public static Dictionary<string, Dictionary<int, ProtoField>> Messages() => new(StringComparer.Ordinal)
    {
        ["Deployment"] = new()
        {
            [1] = Msg("metadata", "ObjectMeta"),
            [2] = Msg("spec", "DeploymentSpec"),
            [3] = Ignored("status"),
        },
        ["DeploymentSpec"] = new()
        {
            [1] = IntPtr("replicas"),
            [2] = Msg("selector", "LabelSelector"),
            [3] = Msg("template", "PodTemplateSpec"),
            [4] = Msg("strategy", "DeploymentStrategy"),
            [5] = Int("minReadySeconds"),
            [6] = IntPtr("revisionHistoryLimit"),
            [7] = Flag("paused"),
            [9] = IntPtr("progressDeadlineSeconds"),
        },
        ["DeploymentStrategy"] = new()
        {
            [1] = Str("type"),
            [2] = Msg("rollingUpdate", "RollingUpdateDeployment"),
        },
        ["RollingUpdateDeployment"] = new()
        {
            [1] = IntStr("maxUnavailable"),
            [2] = IntStr("maxSurge"),
        },
        ["Job"] = new()
        {
            [1] = Msg("metadata", "ObjectMeta"),
            [2] = Msg("spec", "JobSpec"),
            [3] = Ignored("status"),
        },
        ["JobSpec"] = new()
        {
            [1] = IntPtr("parallelism"),
            [2] = IntPtr("completions"),
            [3] = LongPtr("activeDeadlineSeconds"),
            [4] = Msg("selector", "LabelSelector"),
            [5] = FlagPtr("manualSelector"),
            [6] = Msg("template", "PodTemplateSpec"),
            [7] = IntPtr("backoffLimit"),
            [8] = IntPtr("ttlSecondsAfterFinished"),
            [9] = StrPtr("completionMode"),
            [10] = FlagPtr("suspend"),
            [12] = IntPtr("backoffLimitPerIndex"),
            [13] = IntPtr("maxFailedIndexes"),
            [14] = StrPtr("podReplacementPolicy"),
            [15] = StrPtr("managedBy"),
        },
        ["CronJob"] = new()
        {
            [1] = Msg("metadata", "ObjectMeta"),
            [2] = Msg("spec", "CronJobSpec"),
            [3] = Ignored("status"),
        },
        ["CronJobSpec"] = new()
        {
            [1] = Str("schedule"),
            [2] = LongPtr("startingDeadlineSeconds"),
            [3] = Str("concurrencyPolicy"),
            [4] = FlagPtr("suspend"),
            [5] = Msg("jobTemplate", "JobTemplateSpec"),
            [6] = IntPtr("successfulJobsHistoryLimit"),
            [7] = IntPtr("failedJobsHistoryLimit"),
            [8] = StrPtr("timeZone"),
        },
        ["JobTemplateSpec"] = new()
        {
            [1] = Msg("metadata", "ObjectMeta"),
            [2] = Msg("spec", "JobSpec"),
        },
    };
}
