using k8s.Models;
using NodeAgent.Api.Resources.Core;

namespace NodeAgent.Api.Resources.Cluster;

/// <summary>
/// events.k8s.io/v1 Event: the strict validation upstream applies to this API (eventTime and the reporting
/// fields required, deprecated fields unset), the immutable fields on update, and the events Table.
/// </summary>
public sealed class EventsV1EventStrategy : ResourceStrategy<Eventsv1Event>
{
    private const string NeedsToBeUnset = "needs to be unset";

    public override IReadOnlyList<TableColumn> Columns => EventTable.Columns;

    /// <summary>upstream <c>ValidateEventCreate</c> for events.k8s.io/v1; paths use the core field names, as upstream's do.</summary>
    public override IReadOnlyList<FieldError> ValidateCreate(Eventsv1Event obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = EventStrategy.LegacyErrors(new EventStrategy.LegacyFields(
            obj.EventTime, obj.Metadata?.NamespaceProperty, obj.Regarding?.NamespaceProperty, obj.ReportingController, "reportingController",
            obj.ReportingInstance, obj.Action, obj.Reason, obj.Note)).ToList();
        errors.AddRange(SeriesErrors(obj.Series));
        if (obj.EventTime is null || obj.EventTime == default(DateTime))
        {
            errors.Add(new FieldError(FieldErrorType.Required, "eventTime"));
        }

        if (obj.Type is not "Normal" and not "Warning")
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "type", $"has invalid value: {obj.Type}", ""));
        }

        if (obj.DeprecatedFirstTimestamp is not null)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "firstTimestamp", NeedsToBeUnset, ""));
        }

        if (obj.DeprecatedLastTimestamp is not null)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "lastTimestamp", NeedsToBeUnset, ""));
        }

        if (obj.DeprecatedCount is not null and not 0)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "count", NeedsToBeUnset, ""));
        }

        if (!string.IsNullOrEmpty(obj.DeprecatedSource?.Component) || !string.IsNullOrEmpty(obj.DeprecatedSource?.Host))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "source", NeedsToBeUnset, ""));
        }

        return errors;
    }

    /// <summary>upstream <c>ValidateEventUpdate</c>: only the series may change.</summary>
    public override IReadOnlyList<FieldError> ValidateUpdate(Eventsv1Event obj, Eventsv1Event old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        var errors = EventStrategy.LegacyErrors(new EventStrategy.LegacyFields(
            obj.EventTime, obj.Metadata?.NamespaceProperty, obj.Regarding?.NamespaceProperty, obj.ReportingController, "reportingController",
            obj.ReportingInstance, obj.Action, obj.Reason, obj.Note)).ToList();
        if (SeriesText(obj.Series) != SeriesText(old.Series))
        {
            errors.AddRange(SeriesErrors(obj.Series));
        }

        Immutable(errors, "involvedObject", Reference(obj.Regarding), Reference(old.Regarding));
        Immutable(errors, "reason", obj.Reason, old.Reason);
        Immutable(errors, "message", obj.Note, old.Note);
        Immutable(errors, "source", Source(obj.DeprecatedSource), Source(old.DeprecatedSource));
        Immutable(errors, "type", obj.Type, old.Type);
        Immutable(errors, "eventTime", Time(obj.EventTime), Time(old.EventTime));
        Immutable(errors, "action", obj.Action, old.Action);
        Immutable(errors, "related", Reference(obj.Related), Reference(old.Related));
        Immutable(errors, "reportingController", obj.ReportingController, old.ReportingController);
        Immutable(errors, "reportingInstance", obj.ReportingInstance, old.ReportingInstance);
        return errors;
    }

    public override IEnumerable<KeyValuePair<string, string>> ExtraSelectableFields(Eventsv1Event obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var regarding = obj.Regarding ?? new V1ObjectReference();
        foreach (var field in EventStrategy.SelectableFields(regarding, obj.Reason, obj.ReportingController, obj.DeprecatedSource?.Component, obj.Type))
        {
            yield return field;
        }

        // The events.k8s.io/v1 spellings of the same fields.
        foreach (var field in EventStrategy.SelectableFields(regarding, obj.Reason, obj.ReportingController, obj.DeprecatedSource?.Component, obj.Type))
        {
            if (field.Key.StartsWith("involvedObject.", StringComparison.Ordinal))
            {
                yield return new("regarding." + field.Key["involvedObject.".Length..], field.Value);
            }
        }

        yield return new("reportingController", obj.ReportingController ?? "");
    }

    public override IReadOnlyList<object?> Cells(Eventsv1Event obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return EventTable.Cells(
            new EventTable.Row(
                obj.Metadata?.Name, obj.Type, obj.Reason, obj.Note, obj.Regarding?.Kind, obj.Regarding?.Name, obj.Regarding?.FieldPath,
                obj.DeprecatedSource?.Component, obj.DeprecatedSource?.Host, obj.ReportingController, obj.ReportingInstance,
                obj.DeprecatedFirstTimestamp, obj.DeprecatedLastTimestamp, obj.EventTime, obj.DeprecatedCount,
                obj.Series?.Count, obj.Series?.LastObservedTime),
            now);
    }

    private static IEnumerable<FieldError> SeriesErrors(Eventsv1EventSeries? series)
    {
        if (series is null)
        {
            yield break;
        }

        if (series.Count < 2)
        {
            yield return new FieldError(FieldErrorType.Invalid, "series.count", "should be at least 2", "");
        }

        if (series.LastObservedTime == default)
        {
            yield return new FieldError(FieldErrorType.Required, "series.lastObservedTime");
        }
    }

    private static string SeriesText(Eventsv1EventSeries? s) => s is null ? "" : CoreValidation.Inv($"{s.Count}|{s.LastObservedTime:O}");

    private static string Time(DateTime? t) => t is null ? "" : CoreValidation.Inv($"{t:O}");

    private static string Source(V1EventSource? s) => s is null ? "" : $"{s.Component}|{s.Host}";

    /// <summary>A reference as Go prints the struct (the bad value of an immutable-field error).</summary>
    private static GoValue Reference(V1ObjectReference? r) => new(
        r is null
            ? "(*core.ObjectReference)(nil)"
            : $"core.ObjectReference{{Kind:\"{r.Kind}\", Namespace:\"{r.NamespaceProperty}\", Name:\"{r.Name}\", UID:\"{r.Uid}\", APIVersion:\"{r.ApiVersion}\", ResourceVersion:\"{r.ResourceVersion}\", FieldPath:\"{r.FieldPath}\"}}");

    private static void Immutable(List<FieldError> errors, string path, object? now, object? before)
    {
        if (!string.Equals(now?.ToString() ?? "", before?.ToString() ?? "", StringComparison.Ordinal))
        {
            errors.Add(CoreValidation.Immutable(path, now ?? ""));
        }
    }
}
