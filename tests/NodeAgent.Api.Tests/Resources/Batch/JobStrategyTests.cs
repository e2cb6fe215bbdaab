using k8s;
using k8s.Models;
using NodeAgent.Api.Resources.Batch;

namespace NodeAgent.Api.Tests.Resources.Batch;

public sealed class JobStrategyTests
{
    private const string Uid = "0b5e2d0c-1111-4000-8000-00000000000a";

    private const string Job = """
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: pi
          namespace: default
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: pi
                image: perl:5.34
                command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(200)"]
        """;

    /// <summary>Defaults, then the handler's uid, then PrepareForCreate — the create order of the REST handler.</summary>
    private static V1Job Created(string yaml = Job, Action<V1Job>? change = null)
    {
        var job = Manifests.Parse<V1Job>(yaml);
        change?.Invoke(job);
        var strategy = new JobStrategy();
        strategy.ApplyDefaults(job);
        job.Metadata.Uid = Uid;
        job.Metadata.CreationTimestamp = Manifests.Now.UtcDateTime;
        strategy.PrepareForCreate(job);
        return job;
    }

    private static V1Job Copy(V1Job job) => KubernetesJson.Deserialize<V1Job>(KubernetesJson.Serialize(job));

    [Fact]
    public void Defaulted_job_snapshot() => Manifests.Snapshot(Created());

    [Fact]
    public void A_generated_job_is_valid() => Assert.Empty(new JobStrategy().ValidateCreate(Created()));

    [Fact]
    public void Validation_before_the_selector_is_generated_does_not_demand_one()
    {
        var job = Manifests.Parse<V1Job>(Job);
        new JobStrategy().ApplyDefaults(job);
        Assert.Empty(new JobStrategy().ValidateCreate(job));
    }

    [Fact]
    public void Parallel_job_keeps_completions_unset()
    {
        var job = Created(change: j => j.Spec.Parallelism = 3);
        Assert.Null(job.Spec.Completions);
        Assert.Equal(3, job.Spec.Parallelism);
        Assert.Equal(6, job.Spec.BackoffLimit);
    }

    [Fact]
    public void Backoff_limit_per_index_raises_the_default_backoff_limit()
    {
        var job = Created(change: j =>
        {
            j.Spec.CompletionMode = "Indexed";
            j.Spec.Completions = 3;
            j.Spec.BackoffLimitPerIndex = 1;
        });
        Assert.Equal(int.MaxValue, job.Spec.BackoffLimit);
        Assert.Empty(new JobStrategy().ValidateCreate(job));
    }

    public static TheoryData<string, Action<V1Job>, string, string, string> Cases => new()
    {
        {
            "restartPolicy Always (the pod default)", j => j.Spec.Template.Spec.RestartPolicy = null,
            "spec.template.spec.restartPolicy", "FieldValueNotSupported", "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""
        },
        { "negative parallelism", j => j.Spec.Parallelism = -1, "spec.parallelism", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0" },
        { "negative completions", j => j.Spec.Completions = -2, "spec.completions", "FieldValueInvalid", "Invalid value: -2: must be greater than or equal to 0" },
        { "negative backoffLimit", j => j.Spec.BackoffLimit = -1, "spec.backoffLimit", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0" },
        {
            "a selector without manualSelector",
            j => j.Spec.Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "pi" } },
            "spec.selector", "FieldValueInvalid",
            "Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"pi\", \"batch.kubernetes.io/controller-uid\":\"" + Uid + "\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated"
        },
        {
            "manual selector not matching the template",
            j =>
            {
                j.Spec.ManualSelector = true;
                j.Spec.Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "pi" } };
            },
            "spec.template.metadata.labels", "FieldValueInvalid", "Invalid value: map[string]string(nil): `selector` does not match template `labels`"
        },
        {
            "Indexed without completions", j => { j.Spec.CompletionMode = "Indexed"; j.Spec.Parallelism = 2; },
            "spec.completions", "FieldValueRequired", "Required value: when completion mode is Indexed"
        },
        {
            "unknown completionMode", j => j.Spec.CompletionMode = "Sometimes",
            "spec.completionMode", "FieldValueNotSupported", "Unsupported value: \"Sometimes\": supported values: \"NonIndexed\", \"Indexed\""
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rejects(string because, Action<V1Job> change, string field, string reason, string message)
    {
        var errors = new JobStrategy().ValidateCreate(Created(change: change));
        Assert.False(errors.Count == 0, because);
        Manifests.HasError(errors, field, reason, message);
    }

    [Fact]
    public void Template_is_immutable()
    {
        var old = Created();
        var updated = Copy(old);
        updated.Spec.Template.Spec.Containers[0].Image = "perl:5.36";
        var error = Assert.Single(new JobStrategy().ValidateUpdate(updated, old));
        Assert.Equal(("spec.template", "FieldValueInvalid"), (error.Field, error.Reason));
        Assert.EndsWith(": field is immutable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Suspended_job_that_never_started_may_change_scheduling_directives()
    {
        var old = Created(change: j => j.Spec.Suspend = true);
        var updated = Copy(old);
        updated.Spec.Template.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" };
        updated.Spec.Template.Metadata.Annotations = new Dictionary<string, string> { ["note"] = "x" };
        Assert.Empty(new JobStrategy().ValidateUpdate(updated, old));
    }

    [Fact]
    public void Selector_and_completions_are_immutable_but_suspend_and_parallelism_are_not()
    {
        var old = Created();
        var updated = Copy(old);
        updated.Spec.Suspend = true;
        updated.Spec.Parallelism = 4;
        Assert.Empty(new JobStrategy().ValidateUpdate(updated, old));

        updated.Spec.Completions = 5;
        Manifests.HasError(new JobStrategy().ValidateUpdate(updated, old), "spec.completions", "FieldValueInvalid", "Invalid value: 5: field is immutable");

        var moved = Copy(old);
        moved.Spec.Selector.MatchLabels["x"] = "y";
        moved.Spec.Template.Metadata.Labels["x"] = "y";
        Assert.Contains(new JobStrategy().ValidateUpdate(moved, old), e => e.Field == "spec.selector" && e.Message.EndsWith(": field is immutable", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string, string> TableCases => new()
    {
        { "running", "{active: 1, startTime: '2026-11-28T11:58:00Z'}", "Running", "2m" },
        { "complete", "{succeeded: 1, startTime: '2026-11-28T11:00:00Z', completionTime: '2026-11-28T11:00:42Z', conditions: [{type: SuccessCriteriaMet, status: 'True'}, {type: Complete, status: 'True'}]}", "Complete", "42s" },
        { "failed", "{failed: 7, startTime: '2026-11-28T11:00:00Z', conditions: [{type: FailureTarget, status: 'True'}, {type: Failed, status: 'True'}]}", "Failed", "60m" },
        { "suspended, never started", "{conditions: [{type: Suspended, status: 'True'}]}", "Suspended", "" },
        { "failing, pods still terminating", "{startTime: '2026-11-28T11:59:30Z', conditions: [{type: FailureTarget, status: 'True'}]}", "FailureTarget", "30s" },
    };

    [Theory]
    [MemberData(nameof(TableCases))]
    public void Table_status_and_duration(string because, string status, string expectedStatus, string duration)
    {
        var job = Created();
        job.Metadata.CreationTimestamp = Manifests.Now.UtcDateTime.AddHours(-2);
        job.Status = Manifests.Parse<V1JobStatus>(status);
        var cells = new JobStrategy().Cells(job, Manifests.Now);
        Assert.True(expectedStatus == (string?)cells[1], $"{because}: {cells[1]}");
        Assert.Equal(duration, cells[3]);
        Assert.Equal("120m", cells[4]);
    }

    [Fact]
    public void Table_columns_completions_and_wide_cells()
    {
        var strategy = new JobStrategy();
        Assert.Equal(["Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"], strategy.Columns.Select(c => c.Name));
        var job = Created();
        job.Status = new V1JobStatus { Succeeded = 1 };
        Assert.Equal(new object?[] { "pi", "Running", "1/1", "", "0s", "pi", "perl:5.34", "batch.kubernetes.io/controller-uid=" + Uid }, strategy.Cells(job, Manifests.Now));

        var parallel = Created(change: j => j.Spec.Parallelism = 3);
        Assert.Equal("0/1 of 3", strategy.Cells(parallel, Manifests.Now)[2]);

        var deleting = Created();
        deleting.Metadata.DeletionTimestamp = Manifests.Now.UtcDateTime;
        Assert.Equal("Terminating", strategy.Cells(deleting, Manifests.Now)[1]);
    }
}
