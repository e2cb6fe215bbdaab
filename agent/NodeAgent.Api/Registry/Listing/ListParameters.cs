using System.Globalization;
using Microsoft.AspNetCore.Http;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>How the client wants a row's object in a Table (<c>includeObject</c>).</summary>
internal enum IncludeObject
{
    Metadata,
    None,
    Object,
}

/// <summary>
/// The list/watch query parameters (upstream's ListOptions), parsed and validated as kube-apiserver does:
/// syntax errors are 400 BadRequest, inconsistent combinations 422 Invalid <c>ListOptions.meta.k8s.io</c>.
/// </summary>
internal sealed record ListParameters
{
    public const string NotOlderThan = "NotOlderThan";
    public const string Exact = "Exact";

    public LabelSelector LabelSelector { get; init; } = LabelSelector.Everything;

    public FieldSelector FieldSelector { get; init; } = FieldSelector.Everything;

    /// <summary>The raw selectors, for messages.</summary>
    public string LabelSelectorText { get; init; } = "";

    public string FieldSelectorText { get; init; } = "";

    public long Limit { get; init; }

    public string? Continue { get; init; }

    /// <summary>The raw resourceVersion ("" when absent).</summary>
    public string ResourceVersion { get; init; } = "";

    /// <summary>The resourceVersion as a revision (0 when absent or "0").</summary>
    public long Revision { get; init; }

    public string ResourceVersionMatch { get; init; } = "";

    public long? TimeoutSeconds { get; init; }

    public bool AllowWatchBookmarks { get; init; }

    public bool? SendInitialEvents { get; init; }

    public IncludeObject IncludeObject { get; init; } = IncludeObject.Metadata;

    public static ListParameters Parse(IQueryCollection query, bool watch)
    {
        ArgumentNullException.ThrowIfNull(query);
        string Get(string name) => query.TryGetValue(name, out var v) ? v.ToString() : "";

        var labelText = Get("labelSelector");
        var fieldText = Get("fieldSelector");
        LabelSelector labels;
        FieldSelector fields;
        try
        {
            labels = LabelSelector.Parse(labelText);
            fields = FieldSelector.Parse(fieldText);
        }
        catch (FormatException e)
        {
            throw ApiStatusException.BadRequest(e.Message);
        }

        var resourceVersion = Get("resourceVersion");
        long revision = 0;
        if (resourceVersion.Length > 0 && !long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out revision))
        {
            throw ApiStatusException.BadRequest($"resourceVersion: Invalid value: \"{resourceVersion}\": strconv.ParseUint: parsing \"{resourceVersion}\": invalid syntax");
        }

        var parameters = new ListParameters
        {
            LabelSelector = labels,
            FieldSelector = fields,
            LabelSelectorText = labelText,
            FieldSelectorText = fieldText,
            Limit = ParseInt(Get("limit"), "limit") ?? 0,
            Continue = Get("continue") is { Length: > 0 } c ? c : null,
            ResourceVersion = resourceVersion,
            Revision = revision,
            ResourceVersionMatch = Get("resourceVersionMatch"),
            TimeoutSeconds = ParseInt(Get("timeoutSeconds"), "timeoutSeconds"),
            AllowWatchBookmarks = ParseBool(Get("allowWatchBookmarks"), "allowWatchBookmarks") ?? false,
            SendInitialEvents = ParseBool(Get("sendInitialEvents"), "sendInitialEvents"),
            IncludeObject = ParseIncludeObject(query),
        };
        var errors = watch ? parameters.WatchErrors() : parameters.ListErrors();
        return errors.Count == 0 ? parameters : throw ApiStatusException.InvalidListOptions(errors);
    }

    /// <summary>The <c>includeObject</c> parameter of a Table request.</summary>
    public static IncludeObject ParseIncludeObject(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = query.TryGetValue("includeObject", out var v) ? v.ToString() : "";
        return text switch
        {
            "" or "Metadata" => IncludeObject.Metadata,
            "None" => IncludeObject.None,
            "Object" => IncludeObject.Object,
            _ => throw ApiStatusException.BadRequest($"unrecognized includeObject value: \"{text}\""),
        };
    }

    /// <summary>Whether a list reads at exactly <see cref="Revision"/> (otherwise at the latest one, not older than it).</summary>
    public bool IsExactList => Revision > 0 && (ResourceVersionMatch == Exact || (ResourceVersionMatch.Length == 0 && Limit > 0));

    private List<FieldError> ListErrors()
    {
        var errors = new List<FieldError>();
        if (ResourceVersionMatch.Length > 0)
        {
            if (ResourceVersion.Length == 0)
            {
                errors.Add(Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"));
            }

            if (Continue is not null)
            {
                errors.Add(Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
            }

            if (ResourceVersionMatch is not (Exact or NotOlderThan))
            {
                errors.Add(new FieldError(FieldErrorType.NotSupported, "resourceVersionMatch",
                    "supported values: \"Exact\", \"NotOlderThan\", \"\"", ResourceVersionMatch));
            }

            if (ResourceVersionMatch == Exact && ResourceVersion == "0")
            {
                errors.Add(Forbidden("resourceVersionMatch", "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
            }
        }

        if (SendInitialEvents is not null)
        {
            errors.Add(Forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"));
        }

        return errors;
    }

    private List<FieldError> WatchErrors()
    {
        var errors = new List<FieldError>();
        if (SendInitialEvents is not null && ResourceVersionMatch != NotOlderThan)
        {
            errors.Add(Forbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
        }

        if (ResourceVersionMatch.Length > 0)
        {
            if (SendInitialEvents is null)
            {
                errors.Add(Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
            }

            if (ResourceVersionMatch != NotOlderThan)
            {
                errors.Add(new FieldError(FieldErrorType.NotSupported, "resourceVersionMatch", "supported values: \"NotOlderThan\"", ResourceVersionMatch));
            }

            if (Continue is not null)
            {
                errors.Add(Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
            }
        }

        return errors;
    }

    private static FieldError Forbidden(string field, string detail) => new(FieldErrorType.Forbidden, field, detail);

    private static long? ParseInt(string text, string name)
    {
        if (text.Length == 0)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ApiStatusException.BadRequest($"{name}: strconv.ParseInt: parsing \"{text}\": invalid syntax");
    }

    private static bool? ParseBool(string text, string name) => text switch
    {
        "" => null,
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => throw ApiStatusException.BadRequest($"{name}: strconv.ParseBool: parsing \"{text}\": invalid syntax"),
    };
}
