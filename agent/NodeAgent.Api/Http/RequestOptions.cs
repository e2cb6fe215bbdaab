using System.Globalization;
using Microsoft.AspNetCore.Http;
using NodeAgent.Api.Registry;

namespace NodeAgent.Api.Http;

/// <summary>The query parameters of a write (dryRun, fieldManager, fieldValidation, force) and the warnings it collects.</summary>
internal sealed class RequestOptions
{
    private const int MaxFieldManagerLength = 128;

    private RequestOptions(bool dryRun, string? fieldManager, FieldValidationMode validation, bool force)
    {
        DryRun = dryRun;
        ExplicitFieldManager = fieldManager;
        Validation = validation;
        Force = force;
    }

    public bool DryRun { get; }

    /// <summary>The <c>fieldManager</c> parameter as given (server-side apply requires one).</summary>
    public string? ExplicitFieldManager { get; }

    public FieldValidationMode Validation { get; }

    public bool Force { get; }

    public List<string> Warnings { get; } = [];

    public static RequestOptions From(HttpRequest request)
    {
        var query = request.Query;
        var dryRun = false;
        foreach (var value in query["dryRun"])
        {
            if (value != "All")
            {
                throw ApiException.BadRequest($"Invalid dryRun value \"{value}\": supported values: \"All\"");
            }

            dryRun = true;
        }

        var validation = query["fieldValidation"].ToString() switch
        {
            "" or "Warn" => FieldValidationMode.Warn,
            "Strict" => FieldValidationMode.Strict,
            "Ignore" => FieldValidationMode.Ignore,
            var other => throw ApiException.BadRequest($"fieldValidation must be one of \"Ignore\", \"Warn\" or \"Strict\", got \"{other}\""),
        };
        var force = query["force"].ToString() switch
        {
            "" or "false" => false,
            "true" => true,
            var other => throw ApiException.BadRequest($"invalid force value \"{other}\""),
        };
        var manager = query["fieldManager"].ToString();
        if (manager.Length > MaxFieldManagerLength)
        {
            throw ApiException.BadRequest(string.Create(CultureInfo.InvariantCulture, $"fieldManager is too long: must be at most {MaxFieldManagerLength} characters"));
        }

        var options = new RequestOptions(dryRun, manager.Length == 0 ? null : manager, validation, force);
        options.UserAgentManager = FromUserAgent(request.Headers.UserAgent.ToString());
        return options;
    }

    private string UserAgentManager { get; set; } = "unknown";

    /// <summary>The manager recorded for non-apply writes: the parameter, else the User-Agent up to its first '/' (as upstream).</summary>
    public string FieldManager => ExplicitFieldManager ?? UserAgentManager;

    public WriteOptions ToWriteOptions() => new(DryRun, FieldManager, Force);

    /// <summary>
    /// Applies the fieldValidation mode to unknown and duplicate fields found in a body: Strict rejects
    /// with 400, Warn adds Warning headers, Ignore drops them silently (the typed decode loses them).
    /// </summary>
    public void CheckFields(IReadOnlyList<string> unknown, IReadOnlyList<string> duplicates)
    {
        if (unknown.Count == 0 && duplicates.Count == 0 || Validation == FieldValidationMode.Ignore)
        {
            return;
        }

        var problems = unknown.Select(f => $"unknown field \"{f}\"").Concat(duplicates.Select(f => $"duplicate field \"{f}\"")).ToList();
        if (Validation == FieldValidationMode.Strict)
        {
            throw ApiException.BadRequest("strict decoding error: " + string.Join(", ", problems));
        }

        Warnings.AddRange(problems);
    }

    private static string FromUserAgent(string userAgent)
    {
        var prefix = userAgent.Split('/')[0];
        if (prefix.Length == 0)
        {
            return "unknown";
        }

        return prefix.Length > MaxFieldManagerLength ? prefix[..MaxFieldManagerLength] : prefix;
    }
}
