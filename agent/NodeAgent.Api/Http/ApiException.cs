using k8s.Models;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Http;

/// <summary>
/// A request failure that becomes a <c>meta/v1 Status</c> at the edge; the factory methods word
/// the messages the way upstream's <c>k8s.io/apimachinery/pkg/api/errors</c> does.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException()
        : this(500, "InternalError", "internal error")
    {
    }

    public ApiException(string message)
        : this(400, "BadRequest", message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = 500;
        Reason = "InternalError";
    }

    public ApiException(int code, string reason, string message, V1StatusDetails? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    public string Reason { get; }

    public V1StatusDetails? Details { get; }

    /// <summary><c>pods</c> or <c>deployments.apps</c>: how upstream names a resource in messages.</summary>
    public static string QualifiedResource(ResourceDefinition resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Group.Length == 0 ? resource.Plural : $"{resource.Plural}.{resource.Group}";
    }

    /// <summary><c>Pod</c> or <c>Deployment.apps</c>.</summary>
    public static string QualifiedKind(ResourceDefinition resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Group.Length == 0 ? resource.Kind : $"{resource.Kind}.{resource.Group}";
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException NotFound(ResourceDefinition resource, string name) =>
        new(404, "NotFound", $"{QualifiedResource(resource)} \"{name}\" not found", DetailsOf(resource, name));

    public static ApiException NamespaceNotFound(string name) =>
        new(404, "NotFound", $"namespaces \"{name}\" not found", new V1StatusDetails { Name = name, Kind = "namespaces" });

    public static ApiException UnknownPath() =>
        new(404, "NotFound", "the server could not find the requested resource", new V1StatusDetails());

    public static ApiException MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", new V1StatusDetails());

    public static ApiException AlreadyExists(ResourceDefinition resource, string name) =>
        new(409, "AlreadyExists", $"{QualifiedResource(resource)} \"{name}\" already exists", DetailsOf(resource, name));

    public static ApiException Conflict(ResourceDefinition resource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {QualifiedResource(resource)} \"{name}\": {why}", DetailsOf(resource, name));

    public static ApiException StaleUpdate(ResourceDefinition resource, string name) =>
        Conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException Forbidden(ResourceDefinition resource, string name, string why, string? causeReason = null)
    {
        var details = DetailsOf(resource, name);
        if (causeReason is not null)
        {
            details.Causes = [new V1StatusCause { Reason = causeReason, Message = why }];
        }

        var subject = name.Length == 0 ? QualifiedResource(resource) : $"{QualifiedResource(resource)} \"{name}\"";
        return new(403, "Forbidden", $"{subject} is forbidden: {why}", details);
    }

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got \"{contentType}\")", new V1StatusDetails());

    public static ApiException TooLarge(long limit) =>
        new(413, "RequestEntityTooLarge", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Request entity too large: limit is {limit}"), new V1StatusDetails());

    /// <summary>422 with one cause per field error, e.g. <c>Pod "x" is invalid: spec.containers[0].image: Required value</c>.</summary>
    public static ApiException Invalid(ResourceDefinition resource, string name, IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var parts = errors.Select(e => e.Field.Length == 0 ? e.Message : $"{e.Field}: {e.Message}").Distinct(StringComparer.Ordinal).ToList();
        var summary = parts.Count == 1 ? parts[0] : $"[{string.Join(", ", parts)}]";
        var details = new V1StatusDetails
        {
            Name = name,
            Group = NullIfEmpty(resource.Group),
            Kind = resource.Kind,
            Causes = errors.Select(e => new V1StatusCause { Reason = e.Reason, Message = e.Message, Field = e.Field }).ToList(),
        };
        return new(422, "Invalid", $"{QualifiedKind(resource)} \"{name}\" is invalid: {summary}", details);
    }

    private static V1StatusDetails DetailsOf(ResourceDefinition resource, string name) =>
        new() { Name = name, Group = NullIfEmpty(resource.Group), Kind = resource.Plural };

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
