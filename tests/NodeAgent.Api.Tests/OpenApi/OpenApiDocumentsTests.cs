using System.Security.Cryptography;
using System.Text.Json.Nodes;
using NodeAgent.Api.OpenApi;

namespace NodeAgent.Api.Tests.OpenApi;

public sealed class OpenApiDocumentsTests
{
    private static readonly OpenApiDocuments Documents = new(OpenApiTestServer.Resources);

    private static JsonObject V2 => JsonNode.Parse(Documents.V2.Decompress())!.AsObject();

    private static JsonObject V3(string groupVersionPath) => JsonNode.Parse(Documents.V3(groupVersionPath)!.Decompress())!.AsObject();

    [Fact]
    public void V2_is_swagger_with_upstream_definition_names()
    {
        var v2 = V2;
        Assert.Equal("2.0", (string?)v2["swagger"]);
        var definitions = v2["definitions"]!.AsObject();
        foreach (var name in new[]
        {
            "io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.Event", "io.k8s.api.events.v1.Event", "io.k8s.api.apps.v1.Deployment",
            "io.k8s.api.apps.v1.DeploymentStrategy", "io.k8s.api.core.v1.PodTemplateSpec", "io.k8s.api.batch.v1.JobTemplateSpec",
            "io.k8s.api.discovery.v1.EndpointPort", "io.k8s.api.core.v1.EndpointPort", "io.k8s.api.coordination.v1.LeaseSpec",
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
            "io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
            "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", "io.k8s.api.autoscaling.v1.Scale",
        })
        {
            Assert.True(definitions.ContainsKey(name), name);
        }

        Assert.Equal("int-or-string", (string?)definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["format"]);
        Assert.Equal("string", (string?)definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"]!["type"]);
        var meta = definitions["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]!["properties"]!;
        Assert.Equal("date-time", (string?)meta["creationTimestamp"]!["format"]);
        Assert.Equal("string", (string?)meta["labels"]!["additionalProperties"]!["type"]);
        Assert.Equal("byte", (string?)definitions["io.k8s.api.core.v1.Secret"]!["properties"]!["data"]!["additionalProperties"]!["format"]);
        Assert.Equal("atomic", (string?)definitions["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"]!["x-kubernetes-map-type"]);
    }

    [Fact]
    public void Every_served_kind_has_a_definition_tagged_with_its_group_version_kind_in_v2_and_in_its_v3_document()
    {
        var v2 = V2["definitions"]!.AsObject();
        foreach (var resource in OpenApiTestServer.Resources)
        {
            var gvk = new JsonObject { ["group"] = resource.Group, ["kind"] = resource.Kind, ["version"] = resource.Version };
            bool Tagged(JsonObject definitions) => definitions.Any(d =>
                d.Value!["x-kubernetes-group-version-kind"] is JsonArray kinds && kinds.Any(k => JsonNode.DeepEquals(k, gvk)));

            Assert.True(Tagged(v2), $"v2 {resource.ApiVersion} {resource.Kind}");
            var v3 = V3(OpenApiDocuments.GroupVersionPath(resource.Group, resource.Version));
            Assert.True(Tagged(v3["components"]!["schemas"]!.AsObject()), $"v3 {resource.ApiVersion} {resource.Kind}");
        }
    }

    [Fact]
    public void Container_port_schema_snapshot() =>
        Snapshooter.Xunit.Snapshot.Match(Newtonsoft.Json.Linq.JToken.Parse(V2["definitions"]!["io.k8s.api.core.v1.ContainerPort"]!.ToJsonString()));

    [Fact]
    public void Lists_carry_the_merge_keys_and_list_types_patching_uses()
    {
        var pod = V3("api/v1")["components"]!["schemas"]!;
        var containers = pod["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!;
        Assert.Equal("name", (string?)containers["x-kubernetes-patch-merge-key"]);
        Assert.Equal("merge", (string?)containers["x-kubernetes-patch-strategy"]);
        Assert.Equal("map", (string?)containers["x-kubernetes-list-type"]);
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.Container", (string?)containers["items"]!["$ref"]);

        var volumes = pod["io.k8s.api.core.v1.PodSpec"]!["properties"]!["volumes"]!;
        Assert.Equal("merge,retainKeys", (string?)volumes["x-kubernetes-patch-strategy"]);

        var ports = pod["io.k8s.api.core.v1.Container"]!["properties"]!["ports"]!;
        Assert.Equal("""["containerPort","protocol"]""", ports["x-kubernetes-list-map-keys"]!.ToJsonString());

        var finalizers = pod["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]!["properties"]!["finalizers"]!;
        Assert.Equal("set", (string?)finalizers["x-kubernetes-list-type"]);

        var strategy = V3("apis/apps/v1")["components"]!["schemas"]!["io.k8s.api.apps.v1.DeploymentSpec"]!["properties"]!["strategy"]!;
        Assert.Equal("retainKeys", (string?)strategy["x-kubernetes-patch-strategy"]);
        Assert.Equal("#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy", (string?)strategy["allOf"]![0]!["$ref"]);
        Assert.Equal("The deployment strategy to use to replace existing pods with new ones.", (string?)strategy["description"]);
    }

    [Fact]
    public void V3_int_or_string_and_quantity_are_one_of_so_explain_names_them()
    {
        var schemas = V3("apis/apps/v1")["components"]!["schemas"]!;
        var intOrString = schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!;
        Assert.True((bool)intOrString["x-kubernetes-int-or-string"]!);
        Assert.Equal("int-or-string", (string?)intOrString["format"]);
        Assert.Null(intOrString["type"]);
        Assert.Null(schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"]!["type"]);
        Assert.NotNull(schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"]!["oneOf"]);
    }

    [Fact]
    public void Every_write_operation_takes_field_validation_and_is_tagged_with_its_kind()
    {
        foreach (var (groupVersion, document) in new[] { ("v2", V2) }.Concat(
            OpenApiTestServer.Resources.Select(r => OpenApiDocuments.GroupVersionPath(r.Group, r.Version)).Distinct().Select(gv => (gv, V3(gv)))))
        {
            var patches = 0;
            foreach (var (path, item) in document["paths"]!.AsObject())
            {
                foreach (var method in new[] { "post", "put", "patch" })
                {
                    if (item![method] is not { } operation)
                    {
                        continue;
                    }

                    patches += method == "patch" ? 1 : 0;
                    Assert.NotNull(operation["x-kubernetes-group-version-kind"]);
                    Assert.Contains(operation["parameters"]!.AsArray(), p => (string?)p!["name"] == "fieldValidation" && (string?)p["in"] == "query");
                }
            }

            // Groups of reviews only (create-only) have nothing to patch.
            Assert.True(patches > 0 || groupVersion.StartsWith("apis/authentication.k8s.io/", StringComparison.Ordinal) || groupVersion == "apis/authorization.k8s.io/v1", groupVersion);
        }
    }

    [Fact]
    public void Reviews_have_only_their_create_path()
    {
        var paths = V3("apis/authorization.k8s.io/v1")["paths"]!.AsObject();
        Assert.Equal(
            [
                "/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
            ],
            paths.Select(p => p.Key));
        var post = paths["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]!["post"]!;
        Assert.Equal("createAuthorizationV1SelfSubjectAccessReview", (string?)post["operationId"]);
        Assert.Null(paths["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]!["get"]);
    }

    [Fact]
    public void Pod_paths_are_laid_out_like_upstream()
    {
        var paths = V3("api/v1")["paths"]!;
        Assert.Equal("list", (string?)paths["/api/v1/namespaces/{namespace}/pods"]!["get"]!["x-kubernetes-action"]);
        Assert.Equal("listCoreV1PodForAllNamespaces", (string?)paths["/api/v1/pods"]!["get"]!["operationId"]);
        Assert.Equal("readCoreV1NamespacedPod", (string?)paths["/api/v1/namespaces/{namespace}/pods/{name}"]!["get"]!["operationId"]);
        Assert.Equal("patchCoreV1NamespacedPodStatus", (string?)paths["/api/v1/namespaces/{namespace}/pods/{name}/status"]!["patch"]!["operationId"]);
        Assert.Equal("readCoreV1Node", (string?)paths["/api/v1/nodes/{name}"]!["get"]!["operationId"]);
        Assert.Equal("Scale", (string?)V3("apis/apps/v1")["paths"]!["/apis/apps/v1/namespaces/{namespace}/replicasets/{name}/scale"]!["put"]!["x-kubernetes-group-version-kind"]!["kind"]);
    }

    [Fact]
    public void V3_index_links_every_group_version_by_the_sha512_of_its_document_and_is_stable()
    {
        var index = JsonNode.Parse(Documents.V3Index().Decompress())!["paths"]!.AsObject();
        Assert.Equal(
            [
                "api/v1", "apis/apps/v1", "apis/authentication.k8s.io/v1", "apis/authentication.k8s.io/v1beta1", "apis/authorization.k8s.io/v1",
                "apis/batch/v1", "apis/coordination.k8s.io/v1", "apis/discovery.k8s.io/v1", "apis/events.k8s.io/v1",
            ],
            index.Select(p => p.Key));
        foreach (var (path, entry) in index)
        {
            var json = Documents.V3(path)!.Decompress();
            Assert.Equal($"/openapi/v3/{path}?hash={Convert.ToHexString(SHA512.HashData(json))}", (string?)entry!["serverRelativeURL"]);
        }

        var rebuilt = new OpenApiDocuments(OpenApiTestServer.Resources);
        Assert.Equal(Documents.V3Index().Hash, rebuilt.V3Index().Hash);
        Assert.Equal(Documents.V2.Hash, rebuilt.V2.Hash);
    }

    [Theory]
    [InlineData("kubectl apply", true)]
    [InlineData("kubectl create configmap", true)]
    [InlineData("kubectl replace", true)]
    [InlineData("kubectl explain", false)]
    [InlineData("kubectl get", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_validating_kubectl_commands_get_the_validating_view(string? header, bool validating)
        => Assert.Equal(validating ? OpenApiView.Validating : OpenApiView.Full, OpenApiDocuments.ViewFor(header));

    [Fact]
    public void The_validating_view_has_only_patch_operations_and_no_schemas_or_descriptions()
    {
        var full = Documents.V3("api/v1")!;
        var slim = Documents.V3("api/v1", OpenApiView.Validating)!;
        var document = JsonNode.Parse(slim.Decompress())!.AsObject();

        Assert.NotEqual(full.Hash, slim.Hash);
        Assert.True(slim.Length * 20 < full.Length, $"validating {slim.Length} bytes, full {full.Length}");
        Assert.DoesNotContain("$ref", document.ToJsonString(), StringComparison.Ordinal);

        // kubectl's patcher needs components present (else it warns), and finds no schema there for the kind: it then
        // takes the patch metadata from /openapi/v2 without a word.
        Assert.Empty(document["components"]!["schemas"]!.AsObject());
        Assert.All(document["paths"]!.AsObject(), path =>
        {
            Assert.DoesNotContain("\"description\"", path.Value!["parameters"]!.ToJsonString(), StringComparison.Ordinal);
            Assert.All(path.Value!.AsObject().Where(p => p.Key != "parameters"), operation =>
            {
                Assert.Equal("patch", operation.Key);
                Assert.Null(operation.Value!["description"]);
                Assert.DoesNotContain("\"description\"", operation.Value["parameters"]!.ToJsonString(), StringComparison.Ordinal);
            });
        });

        // What kubectl's QueryParamVerifierV3 looks for: the PATCH operation of the kind, with fieldValidation; and the
        // patch media types, as in the full document.
        var patch = document["paths"]!["/api/v1/namespaces/{namespace}/configmaps/{name}"]!["patch"]!;
        Assert.Equal("ConfigMap", (string?)patch["x-kubernetes-group-version-kind"]!["kind"]);
        Assert.Contains(patch["parameters"]!.AsArray(), p => (string?)p!["name"] == "fieldValidation" && (string?)p["in"] == "query");
        var fullPatch = JsonNode.Parse(full.Decompress())!["paths"]!["/api/v1/namespaces/{namespace}/configmaps/{name}"]!["patch"]!;
        Assert.Equal(
            fullPatch["requestBody"]!["content"]!.AsObject().Select(c => c.Key),
            patch["requestBody"]!["content"]!.AsObject().Select(c => c.Key));
    }

    [Fact]
    public void Each_view_has_its_own_index_and_a_hash_finds_its_document_whichever_view_asks()
    {
        var fullIndex = JsonNode.Parse(Documents.V3Index().Decompress())!["paths"]!.AsObject();
        var slimIndex = JsonNode.Parse(Documents.V3Index(OpenApiView.Validating).Decompress())!["paths"]!.AsObject();

        Assert.Equal(fullIndex.Select(p => p.Key), slimIndex.Select(p => p.Key));
        foreach (var (path, entry) in slimIndex)
        {
            var slim = Documents.V3(path, OpenApiView.Validating)!;
            Assert.Equal(OpenApiDocuments.ServerRelativeUrl(path, slim.Hash), (string?)entry!["serverRelativeURL"]);
            Assert.NotEqual((string?)fullIndex[path]!["serverRelativeURL"], (string?)entry["serverRelativeURL"]);
            Assert.Same(slim, Documents.V3ByHash(path, slim.Hash));
            Assert.Same(Documents.V3(path), Documents.V3ByHash(path, Documents.V3(path)!.Hash));
        }

        Assert.Null(Documents.V3ByHash("api/v1", "0123"));
    }
}
