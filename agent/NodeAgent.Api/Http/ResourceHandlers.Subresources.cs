using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using NodeAgent.Api.Patching;
using NodeAgent.Api.Registry;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Http;

internal sealed partial class ResourceHandlers
{
    private const string ScaleApiVersion = "autoscaling/v1";

    private async Task GetScaleAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var obj = await _writer.GetAsync(target.Resource, target.Namespace, target.Name!, ct)
            ?? throw ApiException.NotFound(target.Resource, target.Name!);
        await WriteJsonAsync(context, StatusCodes.Status200OK, ScaleOf(obj), null);
    }

    private async Task UpdateScaleAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var options = RequestOptions.From(context.Request);
        var bytes = await RequestBody.ReadAsync(context, _options.MaxRequestBodyBytes, ct);
        var duplicates = new List<string>();
        if (RequestBody.Parse(bytes, allowYaml: false, duplicates) is not JsonObject scale)
        {
            throw ApiException.BadRequest("the request body must be a JSON object");
        }

        CheckTypeMeta(target.Resource, scale, ScaleApiVersion, "Scale");
        options.CheckFields(ModelJson.UnknownFields(scale, typeof(V1Scale)), duplicates);
        var result = await _writer.UpdateAsync(target.Resource, target.Namespace, target.Name!, null,
            live => WithReplicas(target, live, scale), null, options.ToWriteOptions(), ct);
        await WriteJsonAsync(context, StatusCodes.Status200OK, ScaleOf(result.Body), options);
    }

    private async Task PatchScaleAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var options = RequestOptions.From(context.Request);
        var (patchType, patch, duplicates) = await ReadPatchAsync(context, options, ct);
        if (patchType == ApplyPatchType)
        {
            throw ApiException.UnsupportedMediaType(patchType);
        }

        var schema = PatchSchema.For(ScaleApiVersion, "Scale");
        var result = await _writer.UpdateAsync(target.Resource, target.Namespace, target.Name!, null, live =>
        {
            var patched = ApplyPatch(patchType, ScaleOf(live), patch, schema);
            options.CheckFields(ModelJson.UnknownFields(patched, typeof(V1Scale)), duplicates);
            return WithReplicas(target, live, patched);
        }, null, options.ToWriteOptions(), ct);
        await WriteJsonAsync(context, StatusCodes.Status200OK, ScaleOf(result.Body), options);
    }

    /// <summary>The live object with the Scale's spec.replicas (after the Scale's resourceVersion precondition and validation).</summary>
    private static Desired WithReplicas(RequestTarget target, JsonObject live, JsonObject scale)
    {
        var rv = scale.ResourceVersion();
        if (!string.IsNullOrEmpty(rv) && rv != live.ResourceVersion())
        {
            throw ApiException.StaleUpdate(target.Resource, target.Name!);
        }

        var replicas = (scale["spec"] as JsonObject)?.GetLong("replicas") ?? 0;
        if (replicas < 0)
        {
            var error = new FieldError(FieldErrorType.Invalid, "spec.replicas", "must be greater than or equal to 0", replicas);
            var scaleResource = target.Resource with { Group = "autoscaling", Kind = "Scale" };
            throw ApiException.Invalid(scaleResource, target.Name!, [error]);
        }

        if (live["spec"] is not JsonObject spec)
        {
            spec = [];
            live["spec"] = spec;
        }

        spec["replicas"] = replicas;
        return new Desired(live);
    }

    /// <summary>autoscaling/v1 Scale of a deployment or replica set: spec.replicas, status.replicas, the selector as a string.</summary>
    internal static JsonObject ScaleOf(JsonObject obj)
    {
        var meta = obj.Metadata();
        var scaleMeta = new JsonObject();
        foreach (var field in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
        {
            if (meta[field] is { } value)
            {
                scaleMeta[field] = value.DeepClone();
            }
        }

        var spec = obj["spec"] as JsonObject;
        var status = obj["status"] as JsonObject;
        var scaleStatus = new JsonObject { ["replicas"] = status?.GetLong("replicas") ?? 0 };
        var selector = SelectorString(spec?["selector"] as JsonObject);
        if (selector.Length > 0)
        {
            scaleStatus["selector"] = selector;
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = ScaleApiVersion,
            ["metadata"] = scaleMeta,
            ["spec"] = new JsonObject { ["replicas"] = spec?.GetLong("replicas") ?? 0 },
            ["status"] = scaleStatus,
        };
    }

    /// <summary>A LabelSelector in the string form (<c>app=web,tier in (a,b)</c>) upstream puts in Scale.status.selector.</summary>
    internal static string SelectorString(JsonObject? selector)
    {
        if (selector is null)
        {
            return "";
        }

        var parts = new List<string>();
        if (selector["matchLabels"] is JsonObject labels)
        {
            parts.AddRange(labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        }

        foreach (var expression in (selector["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = expression.GetString("key");
            var values = (expression["values"] as JsonArray ?? []).Select(v => v?.ToString() ?? "").Order(StringComparer.Ordinal);
            parts.Add(expression.GetString("operator") switch
            {
                "In" => $"{key} in ({string.Join(",", values)})",
                "NotIn" => $"{key} notin ({string.Join(",", values)})",
                "Exists" => key ?? "",
                "DoesNotExist" => "!" + key,
                _ => "",
            });
        }

        return string.Join(",", parts.Where(p => p.Length > 0).Order(StringComparer.Ordinal));
    }

    /// <summary>POST pods/{name}/binding: assigns the pod to a node once (409 when it already has one).</summary>
    private async Task BindAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var options = RequestOptions.From(context.Request);
        var bytes = await RequestBody.ReadAsync(context, _options.MaxRequestBodyBytes, ct);
        var duplicates = new List<string>();
        if (RequestBody.Parse(bytes, allowYaml: false, duplicates) is not JsonObject binding)
        {
            throw ApiException.BadRequest("the request body must be a JSON object");
        }

        CheckTypeMeta(target.Resource, binding, "v1", "Binding");
        options.CheckFields(ModelJson.UnknownFields(binding, typeof(V1Binding)), duplicates);
        var bindingName = binding.Name();
        if (bindingName.Length > 0 && bindingName != target.Name)
        {
            throw ApiException.BadRequest($"the name of the object ({bindingName}) does not match the name on the URL ({target.Name})");
        }

        var node = (binding["target"] as JsonObject)?.GetString("name");
        if (string.IsNullOrEmpty(node))
        {
            var bindingResource = target.Resource with { Kind = "Binding" };
            throw ApiException.Invalid(bindingResource, target.Name!, [new FieldError(FieldErrorType.Required, "target.name")]);
        }

        var bindingTarget = target.Resource with { Plural = "pods/binding" };
        await _writer.UpdateAsync(target.Resource, target.Namespace, target.Name!, "binding", live =>
        {
            if (live.IsDeleting())
            {
                throw ApiException.Conflict(bindingTarget, target.Name!, $"pod {target.Name} is being deleted, cannot be assigned to a host");
            }

            if (live["spec"] is not JsonObject spec)
            {
                spec = [];
                live["spec"] = spec;
            }

            if (spec.GetString("nodeName") is { Length: > 0 } current)
            {
                throw ApiException.Conflict(bindingTarget, target.Name!, $"pod {target.Name} is already assigned to node \"{current}\"");
            }

            spec["nodeName"] = node;
            MarkScheduled(live);
            return new Desired(live);
        }, null, options.ToWriteOptions(), ct);

        var status = new V1Status { ApiVersion = "v1", Kind = "Status", Status = "Success", Code = StatusCodes.Status201Created, Metadata = new V1ListMeta() };
        await WriteJsonAsync(context, StatusCodes.Status201Created, status, options);
    }

    /// <summary>Binding also records the PodScheduled condition, as upstream's binding registry does.</summary>
    private void MarkScheduled(JsonObject pod)
    {
        if (pod["status"] is not JsonObject status)
        {
            status = [];
            pod["status"] = status;
        }

        if (status["conditions"] is not JsonArray conditions)
        {
            conditions = [];
            status["conditions"] = conditions;
        }

        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == "PodScheduled");
        if (existing is not null)
        {
            conditions.Remove(existing);
        }

        conditions.Add((JsonNode)new JsonObject
        {
            ["type"] = "PodScheduled",
            ["status"] = "True",
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = ObjectMeta.Timestamp(_options.TimeProvider.GetUtcNow()),
        });
    }
}
