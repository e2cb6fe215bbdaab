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

    public override IReadOnlyList<FieldError> ValidateCreate(Eventsv1Event obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        var ns = obj.Metadata?.NamespaceProperty ?? "";
        var regardingNs = obj.Regarding?.NamespaceProperty ?? "";
        if (regardingNs.Length == 0 && ns is not "default" and not "kube-system")
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "involvedObject.namespace", "does not match event.namespace", regardingNs));
        }

        errors.AddRange(EventStrategy.ReportingErrors(obj.ReportingController, "reportingController", obj.ReportingInstance, obj.Action, obj.Reason));
        if ((obj.Note ?? "").Length > EventStrategy.NoteLimit)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "note", CoreValidation.Inv($"can have at most {EventStrategy.NoteLimit} characters"), ""));
        }

        if (obj.Series is { } series)
        {
            if (series.Count < 2)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, "series.count", "should be at least 2", series.Count));
            }

            if (series.LastObservedTime == default)
            {
                errors.Add(new FieldError(FieldErrorType.Required, "series.lastObservedTime"));
            }
        }

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
            errors.Add(new FieldError(FieldErrorType.Invalid, "deprecatedFirstTimestamp", NeedsToBeUnset, ""));
        }

        if (obj.DeprecatedLastTimestamp is not null)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "deprecatedLastTimestamp", NeedsToBeUnset, ""));
        }

        if (obj.DeprecatedCount is not null and not 0)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "deprecatedCount", NeedsToBeUnset, ""));
        }

        if (!string.IsNullOrEmpty(obj.DeprecatedSource?.Component) || !string.IsNullOrEmpty(obj.DeprecatedSource?.Host))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "deprecatedSource", NeedsToBeUnset, ""));
        }

        return errors;
    }

    public override IReadOnlyList<FieldError> ValidateUpdate(Eventsv1Event obj, Eventsv1Event old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        var errors = ValidateCreate(obj).ToList();

        // Only the series may change; upstream names the fields by their internal (core) names here.
        Immutable(errors, "involvedObject", Reference(obj.Regarding), Reference(old.Regarding));
        Immutable(errors, "reason", obj.Reason, old.Reason);
        Immutable(errors, "message", obj.Note, old.Note);
        Immutable(errors, "type", obj.Type, old.Type);
        Immutable(errors, "action", obj.Action, old.Action);
        Immutable(errors, "reportingController", obj.ReportingController, old.ReportingController);
        Immutable(errors, "reportingInstance", obj.ReportingInstance, old.ReportingInstance);
        Immutable(errors, "related", Reference(obj.Related), Reference(old.Related));
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

    private static string Reference(V1ObjectReference? r) =>
        r is null ? "" : $"{r.ApiVersion}|{r.Kind}|{r.NamespaceProperty}|{r.Name}|{r.Uid}|{r.ResourceVersion}|{r.FieldPath}";

    private static void Immutable(List<FieldError> errors, string path, string? now, string? before)
    {
        if (!string.Equals(now ?? "", before ?? "", StringComparison.Ordinal))
        {
            errors.Add(CoreValidation.Immutable(path, now ?? ""));
        }
    }
}
