using System.Text.Json.Nodes;
using NodeAgent.Api.Patching;

namespace NodeAgent.Api.Tests.Patching;

public sealed class ServerSideApplyTests
{
    private static readonly DateTimeOffset T1 = new(2026, 1, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = T1.AddMinutes(5);
    private static readonly PatchSchema DeploymentSchema = PatchSchema.For("apps/v1", "Deployment");

    private const string Deployment = """
        {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'app':'web'}},
         'spec':{'replicas':2,'selector':{'matchLabels':{'app':'web'}},
          'template':{'metadata':{'labels':{'app':'web'}},
           'spec':{'containers':[{'name':'nginx','image':'nginx:1.25','ports':[{'containerPort':80}],'env':[{'name':'A','value':'1'}]}]}}}}
        """;

    [Fact]
    public void Create_records_one_apply_entry()
    {
        var result = Apply(null, Deployment, "kubectl");

        Assert.Empty(result.Conflicts);
        var entry = Assert.Single(Entries(result.Object));
        Assert.Equal("kubectl", entry["manager"]!.GetValue<string>());
        Assert.Equal("Apply", entry["operation"]!.GetValue<string>());
        Assert.Equal("apps/v1", entry["apiVersion"]!.GetValue<string>());
        Assert.Equal("2026-01-01T10:00:00Z", entry["time"]!.GetValue<string>());
        Assert.Equal("FieldsV1", entry["fieldsType"]!.GetValue<string>());
        Json.Equal(
            """
            {'f:metadata':{'f:labels':{'f:app':{}}},
             'f:spec':{'f:replicas':{},'f:selector':{},
              'f:template':{'f:metadata':{'f:labels':{'f:app':{}}},
               'f:spec':{'f:containers':{'k:{"name":"nginx"}':{'.':{},'f:env':{'k:{"name":"A"}':{'.':{},'f:name':{},'f:value':{}}},'f:image':{},'f:name':{},
                 'f:ports':{'k:{"containerPort":80,"protocol":"TCP"}':{'.':{},'f:containerPort':{}}}}}}}}}
            """.Replace("\"", "\\\"", StringComparison.Ordinal),
            entry["fieldsV1"]);
    }

    [Fact]
    public void Create_managed_fields_snapshot() => Snapshot(Apply(null, Deployment, "kubectl").Object);

    [Fact]
    public void Reapplying_the_same_config_changes_nothing_not_even_the_time()
    {
        var first = Apply(null, Deployment, "kubectl").Object;
        var second = ServerSideApply.Apply(first, Json.Parse(Deployment), new ApplyOptions("kubectl", false, T2), DeploymentSchema);

        Assert.Empty(second.Conflicts);
        Assert.True(JsonNode.DeepEquals(first, second.Object));
    }

    [Fact]
    public void Another_manager_changing_an_owned_field_conflicts_and_nothing_changes()
    {
        var live = Apply(null, Deployment, "kubectl").Object;
        var result = Apply(live, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':5}}", "hpa");

        var conflict = Assert.Single(result.Conflicts);
        Assert.Equal(new ApplyConflict("kubectl", ".spec.replicas"), conflict);
        Assert.True(JsonNode.DeepEquals(live, result.Object));
    }

    [Fact]
    public void Applying_the_same_value_shares_ownership()
    {
        var live = Apply(null, Deployment, "kubectl").Object;
        var result = Apply(live, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':2}}", "other");

        Assert.Empty(result.Conflicts);
        Assert.All(Entries(result.Object), e => Assert.NotNull(e["fieldsV1"]!["f:spec"]!["f:replicas"]));
    }

    [Fact]
    public void Force_takes_the_field_over()
    {
        var live = Apply(null, Deployment, "kubectl").Object;
        var result = Apply(live, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':5}}", "hpa", force: true);

        Assert.Empty(result.Conflicts);
        Assert.Equal(5, result.Object["spec"]!["replicas"]!.GetValue<int>());
        var kubectl = Entries(result.Object).Single(e => e["manager"]!.GetValue<string>() == "kubectl");
        Assert.Null(kubectl["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Snapshot(result.Object);
    }

    [Fact]
    public void A_field_dropped_from_the_config_is_removed_when_nobody_else_owns_it()
    {
        var live = Apply(null, Deployment, "kubectl").Object;
        var withoutEnv = Deployment.Replace(",'env':[{'name':'A','value':'1'}]", "", StringComparison.Ordinal);
        var result = Apply(live, withoutEnv, "kubectl");

        Assert.Empty(result.Conflicts);
        var container = result.Object["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Null(container["env"]?.AsArray().FirstOrDefault());
    }

    [Fact]
    public void A_field_dropped_from_the_config_stays_when_another_manager_owns_it()
    {
        var live = Apply(null, Deployment, "kubectl").Object;
        live = Apply(live, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'app':'web'}}}", "labeller").Object;
        var withoutLabels = Deployment.Replace("'metadata':{'name':'web','labels':{'app':'web'}}", "'metadata':{'name':'web'}", StringComparison.Ordinal);
        var result = Apply(live, withoutLabels, "kubectl");

        Assert.Equal("web", result.Object["metadata"]!["labels"]!["app"]!.GetValue<string>());
    }

    [Fact]
    public void Managers_own_their_own_items_of_a_keyed_list()
    {
        var live = Apply(null, Deployment, "kubectl").Object;
        var sidecar = "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'template':{'spec':{'containers':[{'name':'log','image':'busybox'}]}}}}";
        var result = Apply(live, sidecar, "injector");

        Assert.Empty(result.Conflicts);
        var names = result.Object["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>());
        Assert.Equal(["nginx", "log"], names);
        Snapshot(result.Object);
    }

    [Fact]
    public void Changing_a_field_inside_another_managers_item_conflicts_with_a_readable_path()
    {
        var live = Apply(null, Deployment, "kubectl").Object;
        var result = Apply(live, Deployment.Replace("nginx:1.25", "nginx:1.27", StringComparison.Ordinal), "ci");

        Assert.Equal(
            [new ApplyConflict("kubectl", ".spec.template.spec.containers[name=\"nginx\"].image")],
            result.Conflicts);
    }

    [Fact]
    public void Finalizers_are_owned_per_value()
    {
        var schema = PatchSchema.For("v1", "ConfigMap");
        var result = ServerSideApply.Apply(
            null,
            Json.Parse("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','finalizers':['a/b']}}"),
            new ApplyOptions("m", false, T1),
            schema);

        Assert.NotNull(Entries(result.Object)[0]["fieldsV1"]!["f:metadata"]!["f:finalizers"]!["v:\"a/b\""]);
    }

    [Fact]
    public void Client_side_apply_create_records_an_update_entry_and_apply_then_conflicts_with_it()
    {
        var created = ServerSideApply.RecordUpdate(null, Json.Parse(Deployment), "kubectl-client-side-apply", T1, DeploymentSchema);
        var entry = Assert.Single(Entries(created));
        Assert.Equal("Update", entry["operation"]!.GetValue<string>());
        Assert.NotNull(entry["fieldsV1"]!["f:metadata"]!["f:labels"]!["."]);

        var result = Apply(created, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':7}}", "kubectl");
        Assert.Equal([new ApplyConflict("kubectl-client-side-apply", ".spec.replicas")], result.Conflicts);
        Snapshot(created);
    }

    [Fact]
    public void An_update_takes_changed_fields_from_other_managers()
    {
        var live = Apply(null, Deployment, "kubectl").Object;
        var scaled = live.DeepClone();
        scaled["spec"]!["replicas"] = 4;
        var result = ServerSideApply.RecordUpdate(live, scaled, "kube-controller-manager", T2, DeploymentSchema);

        var entries = Entries(result);
        Assert.Equal(["kubectl", "kube-controller-manager"], entries.Select(e => e["manager"]!.GetValue<string>()));
        Assert.Null(entries[0]["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Json.Equal("{'f:spec':{'f:replicas':{}}}", entries[1]["fieldsV1"]);
    }

    [Fact]
    public void An_update_that_changes_nothing_adds_no_entry()
    {
        var live = Apply(null, Deployment, "kubectl").Object;
        var result = ServerSideApply.RecordUpdate(live, live.DeepClone(), "noop", T2, DeploymentSchema);

        Assert.True(JsonNode.DeepEquals(live, result));
    }

    [Fact]
    public void Apply_to_the_main_resource_ignores_status()
    {
        var result = Apply(null, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':1},'status':{'replicas':9}}", "m");

        Assert.Null(result.Object["status"]);
    }

    [Fact]
    public void Conflicts_name_multi_key_items_and_set_members_the_way_kubernetes_prints_them()
    {
        var schema = PatchSchema.For("v1", "Service");
        var options = new ApplyOptions("a", false, T1);
        var live = ServerSideApply.Apply(
            null,
            Json.Parse("{'apiVersion':'v1','kind':'Service','metadata':{'name':'s'},'spec':{'ports':[{'port':80,'targetPort':8080}]}}"),
            options,
            schema).Object;

        var result = ServerSideApply.Apply(
            live,
            Json.Parse("{'apiVersion':'v1','kind':'Service','metadata':{'name':'s'},'spec':{'ports':[{'port':80,'targetPort':9090}]}}"),
            options with { FieldManager = "b" },
            schema);

        Assert.Equal([new ApplyConflict("a", ".spec.ports[port=80,protocol=\"TCP\"].targetPort")], result.Conflicts);
    }

    [Fact]
    public void Apply_to_the_status_subresource_owns_only_status()
    {
        var live = Apply(null, Deployment, "kubectl").Object;
        var result = ServerSideApply.Apply(
            live,
            Json.Parse("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':9},'status':{'readyReplicas':2}}"),
            new ApplyOptions("controller", false, T2, "status"),
            DeploymentSchema);

        Assert.Empty(result.Conflicts);
        Assert.Equal(2, result.Object["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, result.Object["status"]!["readyReplicas"]!.GetValue<int>());
        var entry = Entries(result.Object).Single(e => e["manager"]!.GetValue<string>() == "controller");
        Assert.Equal("status", entry["subresource"]!.GetValue<string>());
        Json.Equal("{'f:status':{'f:readyReplicas':{}}}", entry["fieldsV1"]);
    }

    [Fact]
    public void A_removed_field_leaves_every_managers_set()
    {
        var live = Apply(null, Deployment, "kubectl").Object;
        var edited = live.DeepClone();
        edited["metadata"]!.AsObject().Remove("labels");
        var result = ServerSideApply.RecordUpdate(live, edited, "kubectl-edit", T2, DeploymentSchema);

        var kubectl = Entries(result).Single(e => e["manager"]!.GetValue<string>() == "kubectl");
        Assert.Null(kubectl["fieldsV1"]!["f:metadata"]);
        Assert.DoesNotContain(Entries(result), e => e["manager"]!.GetValue<string>() == "kubectl-edit");
    }

    [Fact]
    public void A_manager_whose_fields_are_all_taken_disappears()
    {
        var live = Apply(null, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':1}}", "first");
        var result = Apply(live.Object, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':3}}", "second", force: true);

        Assert.Equal(["second"], Entries(result.Object).Select(e => e["manager"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("{'kind':'Deployment','metadata':{'name':'x'}}", "m", ".apiVersion")]
    [InlineData("{'apiVersion':'apps/v1','metadata':{'name':'x'}}", "m", ".kind")]
    [InlineData("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'x','managedFields':[]}}", "m", ".metadata.managedFields")]
    [InlineData("{'apiVersion':'apps/v1','kind':'Deployment'}", "", "fieldManager")]
    [InlineData("[]", "m", "")]
    public void Refuses_malformed_configurations(string applied, string manager, string path)
    {
        var error = Assert.Throws<PatchException>(() => Apply(null, applied, manager));
        Assert.Equal(PatchErrorKind.Invalid, error.Kind);
        Assert.Equal(path, error.Path);
    }

    private static ApplyResult Apply(JsonNode? live, string applied, string manager, bool force = false) =>
        ServerSideApply.Apply(live, Json.Parse(applied), new ApplyOptions(manager, force, live is null ? T1 : T2), DeploymentSchema);

    private static List<JsonNode> Entries(JsonNode obj) => obj["metadata"]!["managedFields"]!.AsArray().Select(e => e!).ToList();

    private static void Snapshot(JsonNode obj, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        Snapshooter.Xunit.Snapshot.Match(Newtonsoft.Json.Linq.JToken.Parse(obj.ToJsonString()), Snapshooter.Xunit.Snapshot.FullName(name));
}
