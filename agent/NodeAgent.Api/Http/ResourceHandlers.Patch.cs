using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using NodeAgent.Api.Patching;
using NodeAgent.Api.Registry;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Http;

internal sealed partial class ResourceHandlers
{
    private const string JsonPatchType = "application/json-patch+json";
    private const string MergePatchType = "application/merge-patch+json";
    private const string StrategicPatchType = "application/strategic-merge-patch+json";
    private const string ApplyPatchType = "application/apply-patch+yaml";

    private async Task PatchAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var options = RequestOptions.From(context.Request);
        var (patchType, patch, duplicates) = await ReadPatchAsync(context, options, ct);
        var resource = target.Resource;
        UpdateResult result;
        if (patchType == ApplyPatchType)
        {
            result = await ApplyAsync(target, (JsonObject)patch, duplicates, options, ct);
        }
        else
        {
            var checkedFields = false;
            result = await _writer.UpdateAsync(resource, target.Namespace, target.Name!, target.Subresource, live =>
            {
                var patched = ApplyPatch(patchType, live, patch, PatchSchema.For(resource.ApiVersion, resource.Kind));
                if (!checkedFields)
                {
                    options.CheckFields(ModelJson.UnknownFields(patched, resource.ModelType), duplicates);
                    checkedFields = true;
                }

                CheckPatchedIdentity(resource, target, live, patched);
                return new Desired(patched);
            }, null, options.ToWriteOptions(), ct);
        }

        await WriteObjectAsync(context, resource, result.Body, result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK, ct, options);
    }

    private async Task<(string Type, JsonNode Patch, List<string> Duplicates)> ReadPatchAsync(HttpContext context, RequestOptions options, CancellationToken ct)
    {
        var contentType = (context.Request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        if (contentType is not (JsonPatchType or MergePatchType or StrategicPatchType or ApplyPatchType))
        {
            throw ApiException.UnsupportedMediaType(contentType);
        }

        if (options.Force && contentType != ApplyPatchType)
        {
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch");
        }

        var bytes = await RequestBody.ReadAsync(context, _options.MaxRequestBodyBytes, ct);
        var duplicates = new List<string>();
        var patch = RequestBody.Parse(bytes, contentType == ApplyPatchType, duplicates);
        var shapeOk = contentType == JsonPatchType ? patch is JsonArray : patch is JsonObject;
        if (!shapeOk)
        {
            throw ApiException.BadRequest(contentType == JsonPatchType
                ? "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
                : "the patch must be a JSON object");
        }

        return (contentType, patch, duplicates);
    }

    private static JsonObject ApplyPatch(string patchType, JsonObject live, JsonNode patch, PatchSchema schema)
    {
        var result = patchType switch
        {
            JsonPatchType => JsonPatch.Apply(live, patch),
            MergePatchType => JsonMergePatch.Apply(live, patch),
            _ => StrategicMergePatch.Apply(live, patch, schema),
        };
        return result as JsonObject ?? throw ApiException.BadRequest("the patched object is not a JSON object");
    }

    /// <summary>A patch may carry a resourceVersion (a precondition) but must not rename or move the object.</summary>
    private static void CheckPatchedIdentity(ResourceDefinition resource, RequestTarget target, JsonObject live, JsonObject patched)
    {
        var rv = patched.ResourceVersion();
        if (!string.IsNullOrEmpty(rv) && rv != live.ResourceVersion())
        {
            throw ApiException.StaleUpdate(resource, target.Name!);
        }

        if (patched.Name() != target.Name)
        {
            throw ApiException.BadRequest($"the name of the object ({patched.Name()}) does not match the name on the URL ({target.Name})");
        }

        if (resource.Namespaced && patched.Namespace() is { Length: > 0 } ns && ns != target.Namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        CheckTypeMeta(resource, patched);
    }

    /// <summary>Server-side apply: merge the applied configuration into the live object (or create it), conflicts → 409.</summary>
    private async Task<UpdateResult> ApplyAsync(RequestTarget target, JsonObject applied, List<string> duplicates, RequestOptions options, CancellationToken ct)
    {
        var resource = target.Resource;
        var manager = options.ExplicitFieldManager ?? throw new ApiException(422, "Invalid",
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
            new k8s.Models.V1StatusDetails
            {
                Group = "meta.k8s.io",
                Kind = "PatchOptions",
                Causes = [new k8s.Models.V1StatusCause { Reason = "FieldValueRequired", Message = "Required value: is required for apply patch", Field = "fieldManager" }],
            });
        CheckTypeMeta(resource, applied);
        options.CheckFields(ModelJson.UnknownFields(applied, resource.ModelType), duplicates);
        var meta = applied.Metadata();
        if (string.IsNullOrEmpty(applied.Name()))
        {
            meta["name"] = target.Name;
        }
        else if (applied.Name() != target.Name)
        {
            throw ApiException.BadRequest($"the name of the object ({applied.Name()}) does not match the name on the URL ({target.Name})");
        }

        if (resource.Namespaced && applied.Namespace() is { Length: > 0 } ns && ns != target.Namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        var schema = PatchSchema.For(resource.ApiVersion, resource.Kind);
        Desired Merge(JsonObject? live)
        {
            var rv = applied.ResourceVersion();
            if (live is not null && !string.IsNullOrEmpty(rv) && rv != live.ResourceVersion())
            {
                throw ApiException.StaleUpdate(resource, target.Name!);
            }

            var applyOptions = new ApplyOptions(manager, options.Force, _options.TimeProvider.GetUtcNow(), target.Subresource);
            var outcome = ServerSideApply.Apply(live, applied, applyOptions, schema);
            if (outcome.Conflicts.Count > 0)
            {
                throw ApplyConflicts(resource, target.Name!, live, outcome.Conflicts);
            }

            var merged = outcome.Object.AsObject();
            merged.Metadata().Remove("resourceVersion");
            return new Desired(merged, ManagedFieldsRecorded: true);
        }

        try
        {
            return await _writer.UpdateAsync(resource, target.Namespace, target.Name!, target.Subresource, live => Merge(live),
                target.Subresource is null ? () => Merge(null) : null, options.ToWriteOptions(), ct);
        }
        catch (PatchException e) when (e.Kind == PatchErrorKind.Invalid)
        {
            throw new ApiException(422, "Invalid", $"{ApiException.QualifiedKind(resource)} \"{target.Name}\" is invalid: {e.Message}");
        }
    }

    private static ApiException ApplyConflicts(ResourceDefinition resource, string name, JsonObject? live, IReadOnlyList<ApplyConflict> conflicts)
    {
        var versions = (live?.Metadata()["managedFields"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .GroupBy(e => e.GetString("manager") ?? "", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().GetString("apiVersion") ?? resource.ApiVersion, StringComparer.Ordinal);
        string Using(string manager) => versions.TryGetValue(manager, out var v) ? v : resource.ApiVersion;

        var byManager = conflicts.GroupBy(c => c.Manager, StringComparer.Ordinal).ToList();
        string message;
        if (conflicts.Count == 1)
        {
            var only = conflicts[0];
            message = $"Apply failed with 1 conflict: conflict with \"{only.Manager}\" using {Using(only.Manager)}: {only.FieldPath}";
        }
        else
        {
            var blocks = byManager.Select(g => $"conflicts with \"{g.Key}\" using {Using(g.Key)}:\n" + string.Join("\n", g.Select(c => "- " + c.FieldPath)));
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", blocks)}";
        }

        var details = new k8s.Models.V1StatusDetails
        {
            Name = name,
            Group = resource.Group.Length == 0 ? null : resource.Group,
            Kind = resource.Plural,
            Causes = conflicts.Select(c => new k8s.Models.V1StatusCause
            {
                Reason = "FieldManagerConflict",
                Message = $"conflict with \"{c.Manager}\" using {Using(c.Manager)}",
                Field = c.FieldPath,
            }).ToList(),
        };
        return new ApiException(409, "Conflict", message, details);
    }
}
