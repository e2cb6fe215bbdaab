using NodeAgent.Api.Resources;

namespace NodeAgent.Api.OpenApi;

/// <summary>One parameter of an operation (path or query); the body is modelled by <see cref="ApiOperation.Body"/>.</summary>
internal sealed record ApiParameter(string Name, string In, string Type, string Description, bool Required = false);

/// <summary>
/// One REST operation as upstream's OpenAPI lists it: method, <c>x-kubernetes-action</c>, operationId,
/// the GVK it acts on (kubectl finds a kind's operations, and whether PATCH takes
/// <c>fieldValidation</c>, through <c>x-kubernetes-group-version-kind</c>), body and response definitions.
/// </summary>
internal sealed record ApiOperation(
    string Method,
    string Action,
    string OperationId,
    string Description,
    GroupVersionKind Kind,
    IReadOnlyList<ApiParameter> Parameters,
    string? Body,
    string Response,
    IReadOnlyList<int> SuccessCodes,
    bool IsPatch = false);

/// <summary>A URL with its path parameters and operations.</summary>
internal sealed record ApiPath(string Path, IReadOnlyList<ApiParameter> Parameters, IReadOnlyList<ApiOperation> Operations);

/// <summary>The operations of each served resource, laid out like upstream's paths (namespaced, all-namespaces, per name, subresources).</summary>
internal static class ApiOperations
{
    private static readonly ApiParameter Pretty = Query("pretty", "string", "If 'true', then the output is pretty printed.");
    private static readonly ApiParameter Name = new("name", "path", "string", "name of the resource", Required: true);
    private static readonly ApiParameter Namespace = new("namespace", "path", "string", "object name and auth scope, such as for teams and projects", Required: true);

    private static readonly ApiParameter DryRun = Query("dryRun", "string", "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed");
    private static readonly ApiParameter FieldManager = Query("fieldManager", "string", "fieldManager is a name associated with the actor or entity that is making these changes.");
    private static readonly ApiParameter FieldValidation = Query("fieldValidation", "string",
        "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict");
    private static readonly ApiParameter Force = Query("force", "boolean", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people.");

    private static readonly ApiParameter[] ListParameters =
    [
        Query("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."),
        Query("continue", "string", "The continue option should be set when retrieving more results from the server."),
        Query("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
        Query("labelSelector", "string", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
        Query("limit", "integer", "limit is a maximum number of responses to return for a list call."),
        Query("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from."),
        Query("resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
        Query("sendInitialEvents", "boolean", "`sendInitialEvents=true` may be set together with `watch=true`."),
        Query("timeoutSeconds", "integer", "Timeout for the list/watch call."),
        Query("watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."),
    ];

    private static readonly ApiParameter[] DeleteParameters =
    [
        DryRun,
        Query("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted. Zero means delete immediately."),
        Query("orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7."),
        Query("propagationPolicy", "string", "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'."),
    ];

    /// <summary>Every path of the given resources (all of one group-version, or all served), sorted by path.</summary>
    public static IReadOnlyList<ApiPath> For(IEnumerable<ResourceDefinition> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return [.. resources.SelectMany(PathsOf).OrderBy(p => p.Path, StringComparer.Ordinal)];
    }

    /// <summary>"/api/v1" or "/apis/apps/v1".</summary>
    public static string GroupVersionPrefix(string group, string version) => group.Length == 0 ? "/api/" + version : $"/apis/{group}/{version}";

    private static IEnumerable<ApiPath> PathsOf(ResourceDefinition resource)
    {
        var prefix = GroupVersionPrefix(resource.Group, resource.Version);
        var gvk = new GroupVersionKind(resource.Group, resource.Version, resource.Kind);
        var model = DefinitionNames.Of(resource.ModelType)!;
        var list = DefinitionNames.Of(resource.ListModelType)!;
        var tag = (resource.Group.Length == 0 ? "core" : resource.Group.Split('.')[0]) + "_" + resource.Version;
        var opSuffix = OperationGroup(resource.Group) + Capitalize(resource.Version);
        var scope = resource.Namespaced ? "Namespaced" : "";
        var collection = resource.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{resource.Plural}" : $"{prefix}/{resource.Plural}";
        ApiParameter[] scopeParameters = resource.Namespaced ? [Namespace, Pretty] : [Pretty];
        ApiParameter[] itemParameters = resource.Namespaced ? [Name, Namespace, Pretty] : [Name, Pretty];
        var kind = resource.Kind;
        if (resource.CreateOnly)
        {
            // A review has only its POST, as upstream's document shows it.
            yield return new ApiPath(collection, scopeParameters,
            [
                new("post", "post", $"create{opSuffix}{scope}{kind}", $"create a {kind}", gvk, [DryRun, FieldManager, FieldValidation], model, model, [200, 201, 202]),
            ]);
            yield break;
        }

        yield return new ApiPath(collection, scopeParameters,
        [
            new("get", "list", $"list{opSuffix}{scope}{kind}", $"list or watch objects of kind {kind}", gvk, ListParameters, null, list, [200]),
            new("post", "post", $"create{opSuffix}{scope}{kind}", $"create a {kind}", gvk, [DryRun, FieldManager, FieldValidation], model, model, [200, 201, 202]),
            new("delete", "deletecollection", $"delete{opSuffix}Collection{scope}{kind}", $"delete collection of {kind}", gvk,
                [.. DeleteParameters, .. ListParameters.Where(p => p.Name is not ("allowWatchBookmarks" or "watch"))], DefinitionNames.DeleteOptions, DefinitionNames.Status, [200]),
        ]);

        if (resource.Namespaced)
        {
            yield return new ApiPath($"{prefix}/{resource.Plural}", [Pretty],
            [
                new("get", "list", $"list{opSuffix}{kind}ForAllNamespaces", $"list or watch objects of kind {kind}", gvk, ListParameters, null, list, [200]),
            ]);
        }

        yield return new ApiPath(collection + "/{name}", itemParameters, ItemOperations(gvk, opSuffix + scope + kind, "the specified " + kind, model, withDelete: true));

        if (resource.HasSubresource("status"))
        {
            yield return new ApiPath(collection + "/{name}/status", itemParameters,
                ItemOperations(gvk, opSuffix + scope + kind + "Status", "status of the specified " + kind, model, withDelete: false));
        }

        if (resource.HasSubresource("scale"))
        {
            var scale = new GroupVersionKind("autoscaling", "v1", "Scale");
            var scaleModel = DefinitionNames.Of(typeof(k8s.Models.V1Scale))!;
            yield return new ApiPath(collection + "/{name}/scale", itemParameters,
                ItemOperations(scale, opSuffix + scope + kind + "Scale", "scale of the specified " + kind, scaleModel, withDelete: false));
        }

        if (resource.HasSubresource("binding"))
        {
            var binding = DefinitionNames.Of(typeof(k8s.Models.V1Binding))!;
            yield return new ApiPath(collection + "/{name}/binding", itemParameters,
            [
                new("post", "post", $"create{opSuffix}{scope}{kind}Binding", $"create binding of a {kind}", new GroupVersionKind("", "v1", "Binding"),
                    [DryRun, FieldManager, FieldValidation], binding, binding, [200, 201, 202]),
            ]);
        }
    }

    private static ApiOperation[] ItemOperations(GroupVersionKind gvk, string operationName, string what, string model, bool withDelete)
    {
        List<ApiOperation> operations =
        [
            new("get", "get", "read" + operationName, "read " + what, gvk, [], null, model, [200]),
            new("put", "put", "replace" + operationName, "replace " + what, gvk, [DryRun, FieldManager, FieldValidation], model, model, [200, 201]),
            new("patch", "patch", "patch" + operationName, "partially update " + what, gvk,
                [DryRun, FieldManager, FieldValidation, Force], DefinitionNames.Patch, model, [200, 201], IsPatch: true),
        ];
        if (withDelete)
        {
            operations.Add(new("delete", "delete", "delete" + operationName, "delete " + what, gvk, DeleteParameters, DefinitionNames.DeleteOptions, model, [200, 202]));
        }

        return [.. operations];
    }

    /// <summary>"" → Core, "apps" → Apps, "discovery.k8s.io" → Discovery (upstream's operationId prefix).</summary>
    private static string OperationGroup(string group) => Capitalize(group.Length == 0 ? "core" : group.Split('.')[0]);

    private static string Capitalize(string value) => value.Length == 0 ? value : char.ToUpperInvariant(value[0]) + value[1..];

    private static ApiParameter Query(string name, string type, string description) => new(name, "query", type, description);
}
