using NodeAgent.Api.Patching;

namespace NodeAgent.Api.Tests.Patching;

/// <summary>
/// Cases derived from the strategic merge patch rules (sig-api-machinery strategic-merge-patch.md and the
/// patchStrategy/patchMergeKey tags), many of them the 3-way patches kubectl apply sends.
/// </summary>
public sealed class StrategicMergePatchTests
{
    private const string Deploy = "apps/v1/Deployment";

    public static TheoryData<string, string, string, string, string> Cases => new()
    {
        {
            "map merge, null deletes a key", "v1/ConfigMap",
            "{'metadata':{'name':'c','labels':{'a':'1','b':'2'}},'data':{'x':'1','y':'2'}}",
            "{'metadata':{'labels':{'a':null,'c':'3'}},'data':{'y':'3'}}",
            "{'metadata':{'name':'c','labels':{'b':'2','c':'3'}},'data':{'x':'1','y':'3'}}"
        },
        {
            "a container added by a plain patch goes first (patch order before server order)", "v1/Pod",
            "{'spec':{'containers':[{'name':'web','image':'nginx'}]}}",
            "{'spec':{'containers':[{'name':'log','image':'busybox'}]}}",
            "{'spec':{'containers':[{'name':'log','image':'busybox'},{'name':'web','image':'nginx'}]}}"
        },
        {
            "kubectl apply adds a container: $setElementOrder keeps the manifest order", Deploy,
            "{'spec':{'template':{'spec':{'containers':[{'name':'web','image':'nginx'}]}}}}",
            "{'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'web'},{'name':'log'}],'containers':[{'name':'log','image':'busybox'}]}}}}",
            "{'spec':{'template':{'spec':{'containers':[{'name':'web','image':'nginx'},{'name':'log','image':'busybox'}]}}}}"
        },
        {
            "change one env var by name; the others stay", Deploy,
            "{'spec':{'template':{'spec':{'containers':[{'name':'web','image':'nginx','env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]}]}}}}",
            "{'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'web'}],'containers':[{'name':'web','$setElementOrder/env':[{'name':'A'},{'name':'B'}],'env':[{'name':'B','value':'3'}]}]}}}}",
            "{'spec':{'template':{'spec':{'containers':[{'name':'web','image':'nginx','env':[{'name':'A','value':'1'},{'name':'B','value':'3'}]}]}}}}"
        },
        {
            "env var switches from value to valueFrom (null deletes value)", "v1/Pod",
            "{'spec':{'containers':[{'name':'web','env':[{'name':'A','value':'1'}]}]}}",
            "{'spec':{'containers':[{'name':'web','env':[{'name':'A','value':null,'valueFrom':{'fieldRef':{'fieldPath':'metadata.name'}}}]}]}}",
            "{'spec':{'containers':[{'name':'web','env':[{'name':'A','valueFrom':{'fieldRef':{'fieldPath':'metadata.name'}}}]}]}}"
        },
        {
            "delete a container port with $patch: delete (merge key containerPort)", "v1/Pod",
            "{'spec':{'containers':[{'name':'web','ports':[{'containerPort':80},{'containerPort':443}]}]}}",
            "{'spec':{'containers':[{'name':'web','ports':[{'containerPort':80,'$patch':'delete'}]}]}}",
            "{'spec':{'containers':[{'name':'web','ports':[{'containerPort':443}]}]}}"
        },
        {
            "kubectl apply removes a container", Deploy,
            "{'spec':{'template':{'spec':{'containers':[{'name':'web','image':'nginx'},{'name':'log','image':'busybox'}]}}}}",
            "{'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'web'}],'containers':[{'name':'log','$patch':'delete'}]}}}}",
            "{'spec':{'template':{'spec':{'containers':[{'name':'web','image':'nginx'}]}}}}"
        },
        {
            "service ports merge by port, not containerPort", "v1/Service",
            "{'spec':{'ports':[{'port':80,'targetPort':8080},{'port':443,'targetPort':8443}]}}",
            "{'spec':{'ports':[{'port':443,'targetPort':9443}]}}",
            "{'spec':{'ports':[{'port':80,'targetPort':8080},{'port':443,'targetPort':9443}]}}"
        },
        {
            "$setElementOrder reorders without changing items", "v1/Pod",
            "{'spec':{'containers':[{'name':'a','image':'1'},{'name':'b','image':'2'},{'name':'c','image':'3'}]}}",
            "{'spec':{'$setElementOrder/containers':[{'name':'c'},{'name':'a'},{'name':'b'}]}}",
            "{'spec':{'containers':[{'name':'c','image':'3'},{'name':'a','image':'1'},{'name':'b','image':'2'}]}}"
        },
        {
            "$setElementOrder keeps server-only items in place", "v1/Pod",
            "{'spec':{'containers':[{'name':'a'},{'name':'sidecar'},{'name':'b'}]}}",
            "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}]}}",
            "{'spec':{'containers':[{'name':'sidecar'},{'name':'b'},{'name':'a'}]}}"
        },
        {
            "retainKeys: strategy RollingUpdate → Recreate drops rollingUpdate", Deploy,
            "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1,'maxUnavailable':0}}}}",
            "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}",
            "{'spec':{'strategy':{'type':'Recreate'}}}"
        },
        {
            "retainKeys on a volume: emptyDir → configMap", "v1/Pod",
            "{'spec':{'volumes':[{'name':'v','emptyDir':{}},{'name':'w','emptyDir':{}}]}}",
            "{'spec':{'volumes':[{'name':'v','$retainKeys':['configMap','name'],'configMap':{'name':'cm'}}]}}",
            "{'spec':{'volumes':[{'name':'v','configMap':{'name':'cm'}},{'name':'w','emptyDir':{}}]}}"
        },
        {
            "$patch: replace in a list replaces the whole list", "v1/Pod",
            "{'spec':{'containers':[{'name':'a','image':'1'},{'name':'b','image':'2'}]}}",
            "{'spec':{'containers':[{'name':'c','image':'3'},{'$patch':'replace'}]}}",
            "{'spec':{'containers':[{'name':'c','image':'3'}]}}"
        },
        {
            "$patch: replace in a map replaces the map", "v1/Pod",
            "{'spec':{'nodeSelector':{'a':'1','b':'2'},'hostname':'h'}}",
            "{'spec':{'nodeSelector':{'$patch':'replace','c':'3'}}}",
            "{'spec':{'nodeSelector':{'c':'3'},'hostname':'h'}}"
        },
        {
            "$patch: delete in a map empties it", "v1/Pod",
            "{'spec':{'securityContext':{'runAsUser':1000},'hostname':'h'}}",
            "{'spec':{'securityContext':{'$patch':'delete'}}}",
            "{'spec':{'securityContext':{},'hostname':'h'}}"
        },
        {
            "$patch: merge is the explicit default", "v1/Pod",
            "{'metadata':{'labels':{'a':'1'}}}",
            "{'metadata':{'labels':{'$patch':'merge','b':'2'}}}",
            "{'metadata':{'labels':{'a':'1','b':'2'}}}"
        },
        {
            "finalizers are a set: union without duplicates", "v1/ConfigMap",
            "{'metadata':{'finalizers':['a','b']}}",
            "{'metadata':{'finalizers':['b','c']}}",
            "{'metadata':{'finalizers':['a','b','c']}}"
        },
        {
            "$deleteFromPrimitiveList removes from a set", "v1/ConfigMap",
            "{'metadata':{'finalizers':['a','b','c']}}",
            "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b']}}",
            "{'metadata':{'finalizers':['a','c']}}"
        },
        {
            "set with $setElementOrder and deletion together", "v1/Node",
            "{'spec':{'podCIDRs':['10.0.0.0/24','fd00::/64']}}",
            "{'spec':{'$setElementOrder/podCIDRs':['10.1.0.0/24','10.0.0.0/24'],'podCIDRs':['10.1.0.0/24'],'$deleteFromPrimitiveList/podCIDRs':['fd00::/64']}}",
            "{'spec':{'podCIDRs':['10.1.0.0/24','10.0.0.0/24']}}"
        },
        {
            "tolerations are atomic: replaced wholesale", "v1/Pod",
            "{'spec':{'tolerations':[{'key':'a','operator':'Exists'},{'key':'b','operator':'Exists'}]}}",
            "{'spec':{'tolerations':[{'key':'c','operator':'Exists'}]}}",
            "{'spec':{'tolerations':[{'key':'c','operator':'Exists'}]}}"
        },
        {
            "args are atomic", "v1/Pod",
            "{'spec':{'containers':[{'name':'a','args':['x','y']}]}}",
            "{'spec':{'containers':[{'name':'a','args':['z']}]}}",
            "{'spec':{'containers':[{'name':'a','args':['z']}]}}"
        },
        {
            "volumeMounts merge by mountPath", "v1/Pod",
            "{'spec':{'containers':[{'name':'a','volumeMounts':[{'name':'v','mountPath':'/data'},{'name':'w','mountPath':'/w'}]}]}}",
            "{'spec':{'containers':[{'name':'a','volumeMounts':[{'name':'v2','mountPath':'/data'}]}]}}",
            "{'spec':{'containers':[{'name':'a','volumeMounts':[{'name':'v2','mountPath':'/data'},{'name':'w','mountPath':'/w'}]}]}}"
        },
        {
            "initContainers and imagePullSecrets merge by name", "v1/Pod",
            "{'spec':{'initContainers':[{'name':'i','image':'1'}],'imagePullSecrets':[{'name':'s1'}]}}",
            "{'spec':{'initContainers':[{'name':'i','image':'2'}],'imagePullSecrets':[{'name':'s2'}]}}",
            "{'spec':{'initContainers':[{'name':'i','image':'2'}],'imagePullSecrets':[{'name':'s2'},{'name':'s1'}]}}"
        },
        {
            "hostAliases merge by ip", "v1/Pod",
            "{'spec':{'hostAliases':[{'ip':'1.1.1.1','hostnames':['a']}]}}",
            "{'spec':{'hostAliases':[{'ip':'1.1.1.1','hostnames':['b']}]}}",
            "{'spec':{'hostAliases':[{'ip':'1.1.1.1','hostnames':['b']}]}}"
        },
        {
            "pod conditions merge by type", "v1/Pod",
            "{'status':{'conditions':[{'type':'Ready','status':'False'},{'type':'Initialized','status':'True'}]}}",
            "{'status':{'conditions':[{'type':'Ready','status':'True'}]}}",
            "{'status':{'conditions':[{'type':'Ready','status':'True'},{'type':'Initialized','status':'True'}]}}"
        },
        {
            "node addresses merge by type", "v1/Node",
            "{'status':{'addresses':[{'type':'InternalIP','address':'10.0.0.1'},{'type':'Hostname','address':'n'}]}}",
            "{'status':{'addresses':[{'type':'InternalIP','address':'10.0.0.2'}]}}",
            "{'status':{'addresses':[{'type':'InternalIP','address':'10.0.0.2'},{'type':'Hostname','address':'n'}]}}"
        },
        {
            "ownerReferences merge by uid", "v1/Pod",
            "{'metadata':{'ownerReferences':[{'uid':'1','name':'rs'}]}}",
            "{'metadata':{'ownerReferences':[{'uid':'1','controller':true}]}}",
            "{'metadata':{'ownerReferences':[{'uid':'1','name':'rs','controller':true}]}}"
        },
        {
            "cron job: jobTemplate reaches the pod template", "batch/v1/CronJob",
            "{'spec':{'jobTemplate':{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'1'},{'name':'b','image':'2'}]}}}}}}",
            "{'spec':{'jobTemplate':{'spec':{'template':{'spec':{'containers':[{'name':'b','image':'3'}]}}}}}}",
            "{'spec':{'jobTemplate':{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'1'},{'name':'b','image':'3'}]}}}}}}"
        },
        {
            "job and replica set templates merge containers by name", "batch/v1/Job",
            "{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'1'}]}}}}",
            "{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'2'}]}}}}",
            "{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'2'}]}}}}"
        },
        {
            "unknown kinds: every list is atomic", "example.com/v1/Widget",
            "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}",
            "{'spec':{'containers':[{'name':'c'}]}}",
            "{'spec':{'containers':[{'name':'c'}]}}"
        },
        {
            "a new map from the patch loses its nulls and directives", "v1/Pod",
            "{'spec':{}}",
            "{'spec':{'securityContext':{'runAsUser':1,'fsGroup':null},'containers':[{'name':'a'},{'name':'x','$patch':'delete'}]}}",
            "{'spec':{'securityContext':{'runAsUser':1},'containers':[{'name':'a'}]}}"
        },
        {
            "kubectl apply: new image, one env var dropped, one added", Deploy,
            "{'spec':{'template':{'spec':{'containers':[{'name':'web','image':'nginx:1','env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]}]}}}}",
            "{'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'web'}],'containers':[{'name':'web','image':'nginx:2','$setElementOrder/env':[{'name':'A'},{'name':'C'}],'env':[{'name':'C','value':'3'},{'name':'B','$patch':'delete'}]}]}}}}",
            "{'spec':{'template':{'spec':{'containers':[{'name':'web','image':'nginx:2','env':[{'name':'A','value':'1'},{'name':'C','value':'3'}]}]}}}}"
        },
        {
            "kubectl apply: strategy switch as kubectl sends it (retainKeys plus null)", Deploy,
            "{'spec':{'replicas':2,'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}}}}",
            "{'spec':{'strategy':{'$retainKeys':['type'],'rollingUpdate':null,'type':'Recreate'}}}",
            "{'spec':{'replicas':2,'strategy':{'type':'Recreate'}}}"
        },
        {
            "kubectl apply: a label removed from the manifest is sent as null", Deploy,
            "{'metadata':{'labels':{'app':'web','tier':'front'}},'spec':{'replicas':1}}",
            "{'metadata':{'labels':{'tier':null}},'spec':{'replicas':3}}",
            "{'metadata':{'labels':{'app':'web'}},'spec':{'replicas':3}}"
        },
        {
            "kubectl apply: a second container port in manifest order", Deploy,
            "{'spec':{'template':{'spec':{'containers':[{'name':'web','ports':[{'containerPort':80,'protocol':'TCP'}]}]}}}}",
            "{'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'web'}],'containers':[{'name':'web','$setElementOrder/ports':[{'containerPort':80},{'containerPort':443}],'ports':[{'containerPort':443}]}]}}}}",
            "{'spec':{'template':{'spec':{'containers':[{'name':'web','ports':[{'containerPort':80,'protocol':'TCP'},{'containerPort':443}]}]}}}}"
        },
        {
            "kubectl apply: a service port added and one removed", "v1/Service",
            "{'spec':{'type':'ClusterIP','clusterIP':'10.67.0.10','ports':[{'name':'http','port':80,'targetPort':8080,'protocol':'TCP'},{'name':'metrics','port':9090,'protocol':'TCP'}]}}",
            "{'spec':{'$setElementOrder/ports':[{'port':80},{'port':443}],'ports':[{'name':'https','port':443,'targetPort':8443},{'port':9090,'$patch':'delete'}]}}",
            "{'spec':{'type':'ClusterIP','clusterIP':'10.67.0.10','ports':[{'name':'http','port':80,'targetPort':8080,'protocol':'TCP'},{'name':'https','port':443,'targetPort':8443}]}}"
        },
        {
            "a controller patches one pod condition by type", "v1/Pod",
            "{'status':{'phase':'Running','conditions':[{'type':'Initialized','status':'True'},{'type':'Ready','status':'True'}]}}",
            "{'status':{'$setElementOrder/conditions':[{'type':'Initialized'},{'type':'Ready'}],'conditions':[{'type':'Ready','status':'False','reason':'ContainersNotReady'}]}}",
            "{'status':{'phase':'Running','conditions':[{'type':'Initialized','status':'True'},{'type':'Ready','status':'False','reason':'ContainersNotReady'}]}}"
        },
        {
            "deployment conditions merge by type", Deploy,
            "{'status':{'conditions':[{'type':'Available','status':'True'},{'type':'Progressing','status':'True'}]}}",
            "{'status':{'conditions':[{'type':'Progressing','status':'False'}]}}",
            "{'status':{'conditions':[{'type':'Available','status':'True'},{'type':'Progressing','status':'False'}]}}"
        },
        {
            "endpoints subsets are atomic", "v1/Endpoints",
            "{'subsets':[{'addresses':[{'ip':'10.66.0.2'}],'ports':[{'port':80}]}]}",
            "{'subsets':[{'addresses':[{'ip':'10.66.0.3'}]}]}",
            "{'subsets':[{'addresses':[{'ip':'10.66.0.3'}]}]}"
        },
        {
            "topologySpreadConstraints merge by topologyKey", "v1/Pod",
            "{'spec':{'topologySpreadConstraints':[{'topologyKey':'zone','maxSkew':1},{'topologyKey':'host','maxSkew':1}]}}",
            "{'spec':{'topologySpreadConstraints':[{'topologyKey':'host','maxSkew':2}]}}",
            "{'spec':{'topologySpreadConstraints':[{'topologyKey':'zone','maxSkew':1},{'topologyKey':'host','maxSkew':2}]}}"
        },
        {
            "$patch: delete at the top empties the object", "v1/ConfigMap",
            "{'data':{'a':'1'}}",
            "{'$patch':'delete'}",
            "{}"
        },
        {
            "a scalar replaces a map and a map a scalar", "v1/ConfigMap",
            "{'data':{'a':'1'},'x':{'y':1}}",
            "{'data':'flat','x':2}",
            "{'data':'flat','x':2}"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Merges(string name, string kind, string original, string patch, string expected)
    {
        var schema = SchemaFor(kind);
        Json.Equal(expected, StrategicMergePatch.Apply(Json.Parse(original), Json.Parse(patch), schema), name);
    }

    [Fact]
    public void Never_modifies_the_input()
    {
        var original = Json.Parse("{'spec':{'containers':[{'name':'a','image':'1'}]}}");
        var patch = Json.Parse("{'spec':{'containers':[{'name':'a','image':'2'}]}}");
        StrategicMergePatch.Apply(original, patch, PatchSchema.For("v1", "Pod"));
        Json.Equal("{'spec':{'containers':[{'name':'a','image':'1'}]}}", original);
        Json.Equal("{'spec':{'containers':[{'name':'a','image':'2'}]}}", patch);
    }

    [Theory]
    [InlineData("patch not an object", "[]", "")]
    [InlineData("unknown $patch value", "{'spec':{'$patch':'frob'}}", ".spec.$patch")]
    [InlineData("$patch: merge in a list", "{'spec':{'containers':[{'name':'a','$patch':'merge'}]}}", ".spec.containers[0]")]
    [InlineData("list item without merge key", "{'spec':{'containers':[{'image':'x'}]}}", ".spec.containers[0]")]
    [InlineData("delete item without merge key", "{'spec':{'containers':[{'$patch':'delete'}]}}", ".spec.containers[0]")]
    [InlineData("$retainKeys not a list", "{'spec':{'$retainKeys':'x'}}", ".spec.$retainKeys")]
    [InlineData("$retainKeys misses a patched key", "{'spec':{'$retainKeys':['a'],'hostname':'h'}}", ".spec.$retainKeys")]
    [InlineData("$setElementOrder not a list", "{'spec':{'$setElementOrder/containers':{}}}", ".spec.$setElementOrder/containers")]
    [InlineData("$setElementOrder contradicts the patch", "{'spec':{'$setElementOrder/containers':[{'name':'a'}],'containers':[{'name':'b','image':'x'}]}}", ".spec.$setElementOrder/containers")]
    [InlineData("$deleteFromPrimitiveList not a list", "{'metadata':{'$deleteFromPrimitiveList/finalizers':'a'}}", ".metadata.$deleteFromPrimitiveList/finalizers")]
    [InlineData("unknown directive", "{'spec':{'$frob':1}}", ".spec.$frob")]
    [InlineData("mixed list", "{'spec':{'containers':[{'name':'a'},'b']}}", ".spec.containers")]
    public void Refuses_malformed_patches(string name, string patch, string path)
    {
        var original = Json.Parse("{'metadata':{'finalizers':['a']},'spec':{'containers':[{'name':'a'}]}}");
        var error = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(original, Json.Parse(patch), PatchSchema.For("v1", "Pod")));
        Assert.True(error.Kind == PatchErrorKind.Invalid, name);
        Assert.Equal(path, error.Path);
    }

    private static PatchSchema SchemaFor(string kind)
    {
        var slash = kind.LastIndexOf('/');
        return PatchSchema.For(kind[..slash], kind[(slash + 1)..]);
    }
}
