using k8s.Models;
using NodeAgent.Api.Resources.Batch;

namespace NodeAgent.Api.Tests.Resources.Batch;

public sealed class CronJobStrategyTests
{
    private const string CronJob = """
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: hello
          namespace: default
        spec:
          schedule: "*/5 * * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                  - name: hello
                    image: busybox:1.36
                    command: ["sh", "-c", "date; echo Hello"]
        """;

    private static V1CronJob Defaulted(Action<V1CronJob>? change = null)
    {
        var cronJob = Manifests.Parse<V1CronJob>(CronJob);
        change?.Invoke(cronJob);
        new CronJobStrategy().ApplyDefaults(cronJob);
        return cronJob;
    }

    [Fact]
    public void Defaulted_cronjob_snapshot() => Manifests.Snapshot(Defaulted());

    [Fact]
    public void A_valid_cronjob_has_no_errors() => Assert.Empty(new CronJobStrategy().ValidateCreate(Defaulted()));

    [Theory]
    [InlineData("0 0 * * *")]
    [InlineData("*/15 9-17 * * mon-fri")]
    [InlineData("0 0 1 jan,jul *")]
    [InlineData("5,35 */2 1-31/2 * SUN")]
    [InlineData("0 12 ? * 0")]
    [InlineData("30 3/6 * * *")]
    [InlineData("@yearly")]
    [InlineData("@monthly")]
    [InlineData("@weekly")]
    [InlineData("@daily")]
    [InlineData("@hourly")]
    [InlineData("@every 1h30m")]
    public void Valid_schedules(string schedule) => Assert.Null(CronSchedule.Check(schedule));

    [Theory]
    [InlineData("* * * *", "expected exactly 5 fields, found 4: [* * * *]")]
    [InlineData("60 * * * *", "end of range (60) above maximum (59): 60")]
    [InlineData("0 0 0 * *", "beginning of range (0) below minimum (1): 0")]
    [InlineData("0 5-2 * * *", "beginning of range (5) beyond end of range (2): 5-2")]
    [InlineData("*/0 * * * *", "step of range should be a positive number: */0")]
    [InlineData("x * * * *", "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("0 0 * foo *", "failed to parse int from foo: strconv.Atoi: parsing \"foo\": invalid syntax")]
    [InlineData("1-2-3 * * * *", "too many hyphens: 1-2-3")]
    [InlineData("@fortnightly", "unrecognized descriptor: @fortnightly")]
    public void Invalid_schedules(string schedule, string message) => Assert.Equal(message, CronSchedule.Check(schedule));

    public static TheoryData<string, Action<V1CronJob>, string, string, string> Cases => new()
    {
        { "no schedule", c => c.Spec.Schedule = "", "spec.schedule", "FieldValueRequired", "Required value" },
        { "bad schedule", c => c.Spec.Schedule = "61 * * * *", "spec.schedule", "FieldValueInvalid", "Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61" },
        {
            "TZ in schedule", c => c.Spec.Schedule = "CRON_TZ=UTC 0 0 * * *",
            "spec.schedule", "FieldValueInvalid", "Invalid value: \"CRON_TZ=UTC 0 0 * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
        },
        { "unknown time zone", c => c.Spec.TimeZone = "Mars/Olympus_Mons", "spec.timeZone", "FieldValueInvalid", "Invalid value: \"Mars/Olympus_Mons\": unknown time zone Mars/Olympus_Mons" },
        { "Local time zone", c => c.Spec.TimeZone = "Local", "spec.timeZone", "FieldValueInvalid", "Invalid value: \"Local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones" },
        {
            "bad concurrencyPolicy", c => c.Spec.ConcurrencyPolicy = "Sometimes",
            "spec.concurrencyPolicy", "FieldValueNotSupported", "Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\""
        },
        {
            "template restartPolicy Always", c => c.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy = "Always",
            "spec.jobTemplate.spec.template.spec.restartPolicy", "FieldValueNotSupported", "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""
        },
        { "container without image", c => c.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image = null, "spec.jobTemplate.spec.template.spec.containers[0].image", "FieldValueRequired", "Required value" },
        {
            "name over 52 characters", c => c.Metadata.Name = new string('a', 53),
            "metadata.name", "FieldValueInvalid", $"Invalid value: \"{new string('a', 53)}\": must be no more than 52 characters"
        },
        { "negative history limit", c => c.Spec.SuccessfulJobsHistoryLimit = -1, "spec.successfulJobsHistoryLimit", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rejects(string because, Action<V1CronJob> change, string field, string reason, string message)
    {
        var errors = new CronJobStrategy().ValidateCreate(Defaulted(change));
        Assert.False(errors.Count == 0, because);
        Manifests.HasError(errors, field, reason, message);
    }

    [Fact]
    public void Known_time_zone_is_valid() => Assert.Empty(new CronJobStrategy().ValidateCreate(Defaulted(c => c.Spec.TimeZone = "Europe/Berlin")));

    [Fact]
    public void Table_cells()
    {
        var strategy = new CronJobStrategy();
        Assert.Equal(["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age", "Containers", "Images", "Selector"], strategy.Columns.Select(c => c.Name));
        var cronJob = Defaulted(c =>
        {
            c.Metadata.CreationTimestamp = Manifests.Now.UtcDateTime.AddDays(-3);
            c.Status = new V1CronJobStatus { Active = [new V1ObjectReference { Name = "hello-1" }], LastScheduleTime = Manifests.Now.UtcDateTime.AddSeconds(-75) };
        });
        Assert.Equal(new object?[] { "hello", "*/5 * * * *", "<none>", "False", 1L, "75s", "3d", "hello", "busybox:1.36", "<none>" }, strategy.Cells(cronJob, Manifests.Now));
    }
}
