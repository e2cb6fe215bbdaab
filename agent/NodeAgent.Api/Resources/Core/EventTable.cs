namespace NodeAgent.Api.Resources.Core;

/// <summary>
/// The Table upstream prints for events of either API (core/v1 and events.k8s.io/v1 share one printer):
/// LAST SEEN TYPE REASON OBJECT MESSAGE, with SUBOBJECT SOURCE FIRST SEEN COUNT NAME for <c>-o wide</c>.
/// </summary>
internal static class EventTable
{
    public static readonly IReadOnlyList<TableColumn> Columns =
    [
        new("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
        new("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
        new("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        new("Object", "string", "The object that this event is about."),
        new("Subobject", "string", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.", Priority: 1),
        new("Source", "string", "The component reporting this event. Should be a short machine understandable string.", Priority: 1),
        new("Message", "string", "A human-readable description of the status of this operation."),
        new("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", Priority: 1),
        new("Count", "string", "The number of times this event has occurred.", Priority: 1),
        new("Name", "string", "Name must be unique within a namespace.", Priority: 1, Format: "name"),
    ];

    /// <summary>The fields of one event, whichever API it came through.</summary>
    public sealed record Row(
        string? Name,
        string? Type,
        string? Reason,
        string? Message,
        string? ObjectKind,
        string? ObjectName,
        string? FieldPath,
        string? SourceComponent,
        string? SourceHost,
        string? ReportingController,
        string? ReportingInstance,
        DateTime? FirstTimestamp,
        DateTime? LastTimestamp,
        DateTime? EventTime,
        int? Count,
        int? SeriesCount,
        DateTime? SeriesLastObserved);

    /// <summary>upstream <c>printEvent</c>, cells in <see cref="Columns"/> order.</summary>
    public static IReadOnlyList<object?> Cells(Row e, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        var firstSeen = e.FirstTimestamp is not null ? TableFormat.Age(e.FirstTimestamp, now) : TableFormat.Age(e.EventTime, now);
        var lastSeen = e.LastTimestamp is not null ? TableFormat.Age(e.LastTimestamp, now) : firstSeen;
        long count = e.Count ?? 0;
        if (e.SeriesCount is not null || e.SeriesLastObserved is not null)
        {
            lastSeen = TableFormat.Age(e.SeriesLastObserved, now);
            count = e.SeriesCount ?? 0;
        }
        else if (count == 0)
        {
            // Singleton events of the new API carry no count.
            count = 1;
        }

        var kind = (e.ObjectKind ?? "").ToLowerInvariant();
        var target = string.IsNullOrEmpty(e.ObjectName) ? kind : $"{kind}/{e.ObjectName}";
        return
        [
            lastSeen,
            e.Type ?? "",
            e.Reason ?? "",
            target,
            e.FieldPath ?? "",
            Source(e.SourceComponent, e.SourceHost, e.ReportingController, e.ReportingInstance),
            (e.Message ?? "").Trim(),
            firstSeen,
            count,
            e.Name,
        ];
    }

    /// <summary>upstream <c>formatEventSource</c>: component (or reporting controller), then ", host" (or instance) when set.</summary>
    public static string Source(string? component, string? host, string? reportingController, string? reportingInstance)
    {
        var who = string.IsNullOrEmpty(component) ? reportingController ?? "" : component;
        var where = string.IsNullOrEmpty(host) ? reportingInstance ?? "" : host;
        return where.Length == 0 ? who : $"{who}, {where}";
    }
}
