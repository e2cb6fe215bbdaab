using k8s.Models;

namespace NodeAgent.Api.Resources.Core;

/// <summary>
/// core/v1 Event: upstream's legacy event validation (the one v1 requests get), the selectable fields
/// <c>kubectl get events --field-selector</c> uses, and the events Table.
/// </summary>
public sealed class EventStrategy : ResourceStrategy<Corev1Event>
{
    internal const int ReportingInstanceLimit = 128;
    internal const int ActionLimit = 128;
    internal const int ReasonLimit = 128;
    internal const int NoteLimit = 1024;

    public override IReadOnlyList<TableColumn> Columns => EventTable.Columns;

    public override IReadOnlyList<FieldError> ValidateCreate(Corev1Event obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        if (obj.InvolvedObject is null)
        {
            errors.Add(new FieldError(FieldErrorType.Required, "involvedObject"));
        }

        var involved = obj.InvolvedObject ?? new V1ObjectReference();
        errors.AddRange(LegacyErrors(new LegacyFields(
            obj.EventTime, obj.Metadata?.NamespaceProperty, involved.NamespaceProperty, obj.ReportingComponent, "reportingComponent",
            obj.ReportingInstance, obj.Action, obj.Reason, obj.Message)));
        return errors;
    }

    public override IEnumerable<KeyValuePair<string, string>> ExtraSelectableFields(Corev1Event obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var involved = obj.InvolvedObject ?? new V1ObjectReference();
        return SelectableFields(involved, obj.Reason, obj.ReportingComponent, obj.Source?.Component, obj.Type);
    }

    public override IReadOnlyList<object?> Cells(Corev1Event obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return EventTable.Cells(
            new EventTable.Row(
                obj.Metadata?.Name, obj.Type, obj.Reason, obj.Message, obj.InvolvedObject?.Kind, obj.InvolvedObject?.Name,
                obj.InvolvedObject?.FieldPath, obj.Source?.Component, obj.Source?.Host, obj.ReportingComponent, obj.ReportingInstance,
                obj.FirstTimestamp, obj.LastTimestamp, obj.EventTime, obj.Count, obj.Series?.Count, obj.Series?.LastObservedTime),
            now);
    }

    /// <summary>upstream's event field set (ToSelectableFields), the same for both event APIs.</summary>
    internal static IEnumerable<KeyValuePair<string, string>> SelectableFields(
        V1ObjectReference involved, string? reason, string? reportingController, string? sourceComponent, string? type)
    {
        yield return new("involvedObject.kind", involved.Kind ?? "");
        yield return new("involvedObject.namespace", involved.NamespaceProperty ?? "");
        yield return new("involvedObject.name", involved.Name ?? "");
        yield return new("involvedObject.uid", involved.Uid ?? "");
        yield return new("involvedObject.apiVersion", involved.ApiVersion ?? "");
        yield return new("involvedObject.resourceVersion", involved.ResourceVersion ?? "");
        yield return new("involvedObject.fieldPath", involved.FieldPath ?? "");
        yield return new("reason", reason ?? "");
        yield return new("reportingComponent", reportingController ?? "");
        yield return new("source", string.IsNullOrEmpty(sourceComponent) ? reportingController ?? "" : sourceComponent);
        yield return new("type", type ?? "");
    }

    /// <summary>The fields upstream's legacy event validation looks at, whichever API the event came through.</summary>
    internal sealed record LegacyFields(
        DateTime? EventTime, string? Namespace, string? InvolvedNamespace, string? Controller, string ControllerField,
        string? Instance, string? Action, string? Reason, string? Message);

    /// <summary>
    /// upstream <c>legacyValidateEvent</c>: an old-style event (no eventTime) must live in its object's namespace
    /// (or default); a new-style one must carry its reporting fields.
    /// </summary>
    internal static IEnumerable<FieldError> LegacyErrors(LegacyFields e)
    {
        var ns = e.Namespace ?? "";
        var involvedNs = e.InvolvedNamespace ?? "";
        if (e.EventTime is null || e.EventTime == default(DateTime))
        {
            var matches = involvedNs.Length == 0 ? ns is "" or "default" : ns == involvedNs;
            if (!matches)
            {
                yield return new FieldError(FieldErrorType.Invalid, "involvedObject.namespace", "does not match event.namespace", involvedNs);
            }

            yield break;
        }

        if (involvedNs.Length == 0 && ns is not "default" and not "kube-system")
        {
            yield return new FieldError(FieldErrorType.Invalid, "involvedObject.namespace", "does not match event.namespace", involvedNs);
        }

        foreach (var error in ReportingErrors(e.Controller, e.ControllerField, e.Instance, e.Action, e.Reason))
        {
            yield return error;
        }

        if ((e.Message ?? "").Length > NoteLimit)
        {
            yield return new FieldError(FieldErrorType.Invalid, "message", CoreValidation.Inv($"can have at most {NoteLimit} characters"), "");
        }
    }

    /// <summary>The reporting fields a new-style event (one with eventTime) must carry.</summary>
    private static IEnumerable<FieldError> ReportingErrors(string? controller, string controllerField, string? instance, string? action, string? reason)
    {
        if (string.IsNullOrEmpty(controller))
        {
            yield return new FieldError(FieldErrorType.Required, controllerField);
        }

        foreach (var message in CoreValidation.QualifiedName(controller ?? ""))
        {
            yield return new FieldError(FieldErrorType.Invalid, controllerField, message, controller ?? "");
        }

        foreach (var error in RequiredAndShort(instance, "reportingInstance", ReportingInstanceLimit))
        {
            yield return error;
        }

        foreach (var error in RequiredAndShort(action, "action", ActionLimit))
        {
            yield return error;
        }

        foreach (var error in RequiredAndShort(reason, "reason", ReasonLimit))
        {
            yield return error;
        }
    }

    private static IEnumerable<FieldError> RequiredAndShort(string? value, string path, int limit)
    {
        if (string.IsNullOrEmpty(value))
        {
            yield return new FieldError(FieldErrorType.Required, path);
        }
        else if (value.Length > limit)
        {
            yield return new FieldError(FieldErrorType.Invalid, path, CoreValidation.Inv($"can have at most {limit} characters"), "");
        }
    }
}
