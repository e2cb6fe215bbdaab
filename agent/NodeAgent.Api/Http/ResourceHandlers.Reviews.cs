using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using NodeAgent.Api.Resources;
using NodeAgent.Api.Security;

namespace NodeAgent.Api.Http;

/// <summary>
/// POST of the reviews (authorization.k8s.io SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview,
/// SelfSubjectRulesReview; authentication.k8s.io SelfSubjectReview, TokenReview): validated as upstream, answered
/// 201 with the request and its status, never stored. Access questions go to the same authorizer as every request.
/// </summary>
internal sealed partial class ResourceHandlers
{
    private Task DispatchReviewAsync(HttpContext context, RequestTarget target, CancellationToken ct) =>
        HttpMethods.IsPost(context.Request.Method) && target.Name is null && !target.WatchPrefix && (!target.Resource.Namespaced || target.Namespace is not null)
            ? ReviewAsync(context, target, ct)
            : throw ApiException.MethodNotAllowed();

    private async Task ReviewAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var options = RequestOptions.From(context.Request);
        var body = await ReadObjectAsync(context, target.Resource, options, ct);
        CheckNamespace(target, body);
        var user = context.Items[typeof(ApiUser)] as ApiUser ?? throw new ApiException(401, "Unauthorized", "Unauthorized");
        var resource = target.Resource;
        var model = ModelJson.ToModel(body, resource.ModelType);
        object response = model switch
        {
            V1SelfSubjectAccessReview r => SelfAccess(resource, r, user),
            V1SubjectAccessReview r => SubjectAccess(resource, r),
            V1LocalSubjectAccessReview r => LocalAccess(resource, r, target.Namespace!),
            V1SelfSubjectRulesReview r => Rules(r, user),
            V1SelfSubjectReview r => new V1SelfSubjectReview { Metadata = r.Metadata, Status = new V1SelfSubjectReviewStatus { UserInfo = UserInfo(user) } },
            V1TokenReview r => await TokenReviewAsync(resource, r, ct),
            _ => throw ApiException.UnknownPath(),
        };

        var json = ModelJson.ToJson(response);
        json["apiVersion"] = resource.ApiVersion;
        json["kind"] = resource.Kind;
        json["metadata"] = ModelJson.ToJson((response as k8s.IKubernetesObject<V1ObjectMeta>)?.Metadata ?? new V1ObjectMeta());
        await WriteJsonAsync(context, StatusCodes.Status201Created, json, options);
    }

    private V1SelfSubjectAccessReview SelfAccess(ResourceDefinition resource, V1SelfSubjectAccessReview review, ApiUser user)
    {
        var spec = review.Spec ?? new V1SelfSubjectAccessReviewSpec();
        var errors = ValidateAttributes(spec.ResourceAttributes, spec.NonResourceAttributes);
        Throw(resource, errors);
        review.Spec = spec;
        review.Status = Decide(user, spec.ResourceAttributes, spec.NonResourceAttributes);
        return review;
    }

    private V1SubjectAccessReview SubjectAccess(ResourceDefinition resource, V1SubjectAccessReview review)
    {
        var spec = review.Spec ?? new V1SubjectAccessReviewSpec();
        var errors = ValidateAttributes(spec.ResourceAttributes, spec.NonResourceAttributes);
        errors.AddRange(ValidateSubject(spec));
        Throw(resource, errors);
        review.Spec = spec;
        review.Status = Decide(Subject(spec), spec.ResourceAttributes, spec.NonResourceAttributes);
        return review;
    }

    private V1LocalSubjectAccessReview LocalAccess(ResourceDefinition resource, V1LocalSubjectAccessReview review, string ns)
    {
        var spec = review.Spec ?? new V1SubjectAccessReviewSpec();
        var errors = ValidateAttributes(spec.ResourceAttributes, spec.NonResourceAttributes);
        errors.AddRange(ValidateSubject(spec));
        if (spec.ResourceAttributes is { } attributes && (attributes.NamespaceProperty ?? "") != ns)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.resourceAttributes.namespace", "must match metadata.namespace", attributes.NamespaceProperty ?? ""));
        }

        if (spec.NonResourceAttributes is { } nonResource)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.nonResourceAttributes", "disallowed on this kind of request", GoValue.Of(nonResource)));
        }

        Throw(resource, errors);
        review.Metadata ??= new V1ObjectMeta();
        review.Metadata.NamespaceProperty = ns;
        review.Spec = spec;
        review.Status = Decide(Subject(spec), spec.ResourceAttributes, null);
        return review;
    }

    private V1SelfSubjectRulesReview Rules(V1SelfSubjectRulesReview review, ApiUser user)
    {
        var rules = _options.Authorizer.RulesFor(user);
        review.Spec ??= new V1SelfSubjectRulesReviewSpec();
        review.Status = new V1SubjectRulesReviewStatus
        {
            ResourceRules = rules.ResourceRules.Select(r => new V1ResourceRule
            {
                Verbs = [.. r.Verbs],
                ApiGroups = [.. r.ApiGroups],
                Resources = [.. r.Resources],
                ResourceNames = r.ResourceNames.Count == 0 ? null : [.. r.ResourceNames],
            }).ToList(),
            NonResourceRules = rules.NonResourceRules.Select(r => new V1NonResourceRule { Verbs = [.. r.Verbs], NonResourceURLs = [.. r.NonResourceUrls] }).ToList(),
            Incomplete = false,
        };
        return review;
    }

    /// <summary>The token goes through the server's own authenticators, exactly as if it had come in an Authorization header.</summary>
    private async Task<V1TokenReview> TokenReviewAsync(ResourceDefinition resource, V1TokenReview review, CancellationToken ct)
    {
        var spec = review.Spec ?? new V1TokenReviewSpec();
        if (string.IsNullOrEmpty(spec.Token))
        {
            throw ApiException.BadRequest($"token is required for TokenReview in {resource.Group}");
        }

        var probe = new DefaultHttpContext();
        probe.Request.Headers[HeaderNames.Authorization] = "Bearer " + spec.Token;
        var user = await ApiAuthentication.FirstAsync(_authenticators, probe, ct);

        var apiAudiences = _options.ServiceAccountTokens?.ApiAudiences ?? [];
        var wanted = spec.Audiences is { Count: > 0 } requested ? requested.ToList() : apiAudiences.ToList();
        var matched = wanted.Where(a => apiAudiences.Count == 0 || apiAudiences.Contains(a, StringComparer.Ordinal)).ToList();
        review.Spec = spec;
        review.Status = user is null
            ? new V1TokenReviewStatus { Authenticated = false, Error = "invalid bearer token" }
            : matched.Count == 0
                ? new V1TokenReviewStatus { Authenticated = false, Error = $"token audiences [{string.Join(" ", apiAudiences)}] is invalid for the target audiences [{string.Join(" ", wanted)}]" }
                : new V1TokenReviewStatus { Authenticated = true, User = UserInfo(user), Audiences = matched };

        // The token is a secret: upstream does not echo it back either.
        review.Spec.Token = null;
        return review;
    }

    private V1SubjectAccessReviewStatus Decide(ApiUser user, V1ResourceAttributes? resource, V1NonResourceAttributes? nonResource)
    {
        var attributes = resource is not null
            ? new AuthorizationAttributes(user, resource.Verb ?? "", true, "", resource.NamespaceProperty ?? "", resource.Group ?? "", resource.Version ?? "",
                resource.Resource ?? "", resource.Subresource ?? "", resource.Name ?? "")
            : new AuthorizationAttributes(user, nonResource!.Verb ?? "", false, nonResource.Path ?? "");
        var decision = _options.Authorizer.Authorize(attributes);
        return new V1SubjectAccessReviewStatus { Allowed = decision.Allowed, Reason = decision.Reason.Length == 0 ? null : decision.Reason };
    }

    /// <summary>Upstream (1.32) words and places these at spec.nonResourceAttributes and spec.resourceAttributes.</summary>
    private static List<FieldError> ValidateAttributes(V1ResourceAttributes? resource, V1NonResourceAttributes? nonResource)
    {
        var errors = new List<FieldError>();
        if (resource is not null && nonResource is not null)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.nonResourceAttributes", "cannot be specified in combination with resourceAttributes", GoValue.Of(nonResource)));
        }

        if (resource is null && nonResource is null)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.resourceAttributes", "exactly one of nonResourceAttributes or resourceAttributes must be specified", null));
        }

        return errors;
    }

    private static IEnumerable<FieldError> ValidateSubject(V1SubjectAccessReviewSpec spec)
    {
        if (string.IsNullOrEmpty(spec.User) && spec.Groups is not { Count: > 0 })
        {
            yield return new FieldError(FieldErrorType.Invalid, "spec.user", "at least one of user or group must be specified", spec.User ?? "");
        }
    }

    private static ApiUser Subject(V1SubjectAccessReviewSpec spec) => new(
        spec.User ?? "",
        [.. spec.Groups ?? []],
        spec.Uid ?? "",
        spec.Extra?.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)[.. e.Value], StringComparer.Ordinal));

    private static V1UserInfo UserInfo(ApiUser user) => new()
    {
        Username = user.Name,
        Uid = user.Uid.Length == 0 ? null : user.Uid,
        Groups = [.. user.Groups],
        Extra = user.Extra is { Count: > 0 } extra ? extra.ToDictionary(e => e.Key, e => (IList<string>)[.. e.Value], StringComparer.Ordinal) : null,
    };

    private static void Throw(ResourceDefinition resource, List<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(resource, "", errors);
        }
    }

    /// <summary>A bad value printed as Go's %#v prints the internal type (what upstream's field errors show for structs).</summary>
    private sealed class GoValue(string text)
    {
        public static GoValue Of(V1NonResourceAttributes a) => new($"authorization.NonResourceAttributes{{Path:\"{a.Path}\", Verb:\"{a.Verb}\"}}");

        public override string ToString() => text;
    }
}
