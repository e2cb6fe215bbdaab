using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using NodeAgent.Api.Registry;
using NodeAgent.Api.Resources;
using NodeAgent.Api.Security;

namespace NodeAgent.Api.Http;

/// <summary>POST serviceaccounts/{name}/token: upstream's TokenRequest (authentication.k8s.io/v1).</summary>
internal sealed partial class ResourceHandlers
{
    private const long DefaultTokenSeconds = 3600;
    private const long MinTokenSeconds = 600;
    private const long MaxTokenSeconds = 1L << 32;

    private async Task CreateTokenAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var tokens = _options.ServiceAccountTokens ?? throw ApiException.UnknownPath();
        var options = RequestOptions.From(context.Request);
        var bytes = await RequestBody.ReadAsync(context, _options.MaxRequestBodyBytes, ct);
        var duplicates = new List<string>();
        var tokenRequest = target.Resource with { Group = "authentication.k8s.io", Kind = "TokenRequest", Plural = "tokenrequests" };

        // kubectl create token sends protobuf (its typed client's default for built-in kinds), others JSON.
        var body = bytes.Length == 0 ? []
            : ProtobufBody.IsProtobuf(context.Request.ContentType ?? "") ? ProtobufBody.Decode(bytes, tokenRequest)
            : RequestBody.Parse(bytes, allowYaml: false, duplicates) as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object");
        CheckTypeMeta(target.Resource, body, "authentication.k8s.io/v1", "TokenRequest");
        options.CheckFields(ModelJson.UnknownFields(body, typeof(Authenticationv1TokenRequest)), duplicates);
        var request = (Authenticationv1TokenRequest)ModelJson.ToModel(body, typeof(Authenticationv1TokenRequest));
        var name = target.Name!;
        var spec = request.Spec ?? new V1TokenRequestSpec();
        var seconds = spec.ExpirationSeconds ?? DefaultTokenSeconds;
        if (seconds < MinTokenSeconds)
        {
            throw ApiException.Invalid(tokenRequest, name, [new FieldError(FieldErrorType.Invalid, "spec.expirationSeconds", "may not specify a duration less than 10 minutes", seconds)]);
        }

        if (seconds > MaxTokenSeconds)
        {
            throw ApiException.Invalid(tokenRequest, name, [new FieldError(FieldErrorType.Invalid, "spec.expirationSeconds", "may not specify a duration larger than 2^32 seconds", seconds)]);
        }

        var account = await _writer.GetAsync(target.Resource, target.Namespace, name, ct) ?? throw ApiException.NotFound(target.Resource, name);
        var (podName, podUid) = await BoundPodAsync(spec.BoundObjectRef, target.Namespace!, name, ct);
        var audiences = spec.Audiences is { Count: > 0 } requested ? requested.ToList() : tokens.ApiAudiences.ToList();
        var now = tokens.Time.GetUtcNow();
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var expires = issuedAt.AddSeconds(seconds);
        var token = tokens.Issue(new ServiceAccountTokenClaims(target.Namespace!, name, account.Uid() ?? "", podName, podUid, audiences, issuedAt, expires));

        spec.Audiences = audiences;
        spec.ExpirationSeconds = seconds;
        var response = new Authenticationv1TokenRequest
        {
            ApiVersion = "authentication.k8s.io/v1",
            Kind = "TokenRequest",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = target.Namespace, CreationTimestamp = issuedAt.UtcDateTime },
            Spec = spec,
            Status = new V1TokenRequestStatus { Token = token, ExpirationTimestamp = expires.UtcDateTime },
        };
        await WriteJsonAsync(context, StatusCodes.Status201Created, ModelJson.ToJson(response), options);
    }

    /// <summary>The pod a token is bound to: it must exist, run as this account and have the uid the request names.</summary>
    private async Task<(string? Name, string? Uid)> BoundPodAsync(V1BoundObjectReference? reference, string ns, string account, CancellationToken ct)
    {
        if (reference is null || (string.IsNullOrEmpty(reference.Kind) && string.IsNullOrEmpty(reference.Name)))
        {
            return (null, null);
        }

        var group = reference.ApiVersion?.Contains('/', StringComparison.Ordinal) == true ? reference.ApiVersion.Split('/')[0] : "";
        if (reference.Kind != "Pod" || group.Length != 0)
        {
            throw ApiException.BadRequest($"cannot bind token to object of type {reference.ApiVersion}, Kind={reference.Kind}");
        }

        var pods = _writer.Resources.Single(r => r.Group.Length == 0 && r.Plural == "pods");
        var pod = await _writer.GetAsync(pods, ns, reference.Name ?? "", ct) ?? throw ApiException.NotFound(pods, reference.Name ?? "");
        var podAccount = (pod["spec"] as JsonObject)?.GetString("serviceAccountName");
        if (podAccount != account)
        {
            throw ApiException.BadRequest($"cannot bind token for serviceaccount \"{account}\" to pod running with different serviceaccount name.");
        }

        if (!string.IsNullOrEmpty(reference.Uid) && reference.Uid != pod.Uid())
        {
            var bound = pods with { Plural = "Pod" };
            throw ApiException.Conflict(bound, reference.Name!, $"the UID in the bound object reference ({reference.Uid}) does not match the UID in record. The object might have been deleted and then recreated");
        }

        return (pod.Name(), pod.Uid());
    }
}
