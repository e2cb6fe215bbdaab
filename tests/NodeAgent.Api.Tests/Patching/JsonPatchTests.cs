using NodeAgent.Api.Patching;

namespace NodeAgent.Api.Tests.Patching;

public sealed class JsonPatchTests
{
    [Theory]
    [InlineData("add member", "{'a':1}", "[{'op':'add','path':'/b','value':2}]", "{'a':1,'b':2}")]
    [InlineData("add replaces member", "{'a':1}", "[{'op':'add','path':'/a','value':[1]}]", "{'a':[1]}")]
    [InlineData("add null value", "{}", "[{'op':'add','path':'/a','value':null}]", "{'a':null}")]
    [InlineData("insert in array", "{'a':[1,3]}", "[{'op':'add','path':'/a/1','value':2}]", "{'a':[1,2,3]}")]
    [InlineData("append with -", "{'a':[1]}", "[{'op':'add','path':'/a/-','value':2}]", "{'a':[1,2]}")]
    [InlineData("append at length", "{'a':[1]}", "[{'op':'add','path':'/a/1','value':2}]", "{'a':[1,2]}")]
    [InlineData("remove member", "{'a':1,'b':2}", "[{'op':'remove','path':'/a'}]", "{'b':2}")]
    [InlineData("remove array item", "{'a':[1,2,3]}", "[{'op':'remove','path':'/a/0'}]", "{'a':[2,3]}")]
    [InlineData("replace", "{'spec':{'replicas':1}}", "[{'op':'replace','path':'/spec/replicas','value':3}]", "{'spec':{'replicas':3}}")]
    [InlineData("replace root", "{'a':1}", "[{'op':'replace','path':'','value':{'b':2}}]", "{'b':2}")]
    [InlineData("move", "{'a':{'x':1},'b':{}}", "[{'op':'move','from':'/a/x','path':'/b/y'}]", "{'a':{},'b':{'y':1}}")]
    [InlineData("move array item", "{'a':[1,2,3]}", "[{'op':'move','from':'/a/0','path':'/a/-'}]", "{'a':[2,3,1]}")]
    [InlineData("copy", "{'a':{'x':[1]}}", "[{'op':'copy','from':'/a/x','path':'/b'}]", "{'a':{'x':[1]},'b':[1]}")]
    [InlineData("test then replace", "{'a':'x'}", "[{'op':'test','path':'/a','value':'x'},{'op':'replace','path':'/a','value':'y'}]", "{'a':'y'}")]
    [InlineData("escaped ~1 is slash", "{'metadata':{'labels':{'app.kubernetes.io/name':'a'}}}", "[{'op':'replace','path':'/metadata/labels/app.kubernetes.io~1name','value':'b'}]", "{'metadata':{'labels':{'app.kubernetes.io/name':'b'}}}")]
    [InlineData("escaped ~0 is tilde", "{'a~b':1}", "[{'op':'remove','path':'/a~0b'}]", "{}")]
    [InlineData("empty patch", "{'a':1}", "[]", "{'a':1}")]
    public void Applies(string name, string document, string patch, string expected)
    {
        Json.Equal(expected, JsonPatch.Apply(Json.Parse(document), Json.Parse(patch)), name);
    }

    [Fact]
    public void Never_modifies_the_input()
    {
        var document = Json.Parse("{'a':[1]}");
        JsonPatch.Apply(document, Json.Parse("[{'op':'add','path':'/a/-','value':2}]"));
        Json.Equal("{'a':[1]}", document);
    }

    [Theory]
    [InlineData("not an array", "{'op':'add'}", PatchErrorKind.Invalid, "")]
    [InlineData("operation not an object", "[1]", PatchErrorKind.Invalid, "/0")]
    [InlineData("unknown op", "[{'op':'frob','path':'/a'}]", PatchErrorKind.Invalid, "/0/op")]
    [InlineData("missing path", "[{'op':'remove'}]", PatchErrorKind.Invalid, "/0/path")]
    [InlineData("missing value", "[{'op':'add','path':'/b'}]", PatchErrorKind.Invalid, "/0/value")]
    [InlineData("missing from", "[{'op':'copy','path':'/b'}]", PatchErrorKind.Invalid, "/0/from")]
    [InlineData("pointer without slash", "[{'op':'remove','path':'a'}]", PatchErrorKind.Invalid, "/0/path")]
    [InlineData("bad escape", "[{'op':'remove','path':'/a~2'}]", PatchErrorKind.Invalid, "/0/path")]
    [InlineData("remove missing member", "[{'op':'remove','path':'/zz'}]", PatchErrorKind.Invalid, "/0/path")]
    [InlineData("replace missing member", "[{'op':'replace','path':'/zz','value':1}]", PatchErrorKind.Invalid, "/0/path")]
    [InlineData("index out of range", "[{'op':'add','path':'/list/5','value':1}]", PatchErrorKind.Invalid, "/0/path")]
    [InlineData("leading zero index", "[{'op':'remove','path':'/list/01'}]", PatchErrorKind.Invalid, "/0/path")]
    [InlineData("parent missing", "[{'op':'add','path':'/x/y','value':1}]", PatchErrorKind.Invalid, "/0/path")]
    [InlineData("move into own child", "[{'op':'move','from':'/obj','path':'/obj/inner'}]", PatchErrorKind.Invalid, "/0/path")]
    [InlineData("remove root", "[{'op':'remove','path':''}]", PatchErrorKind.Invalid, "/0/path")]
    [InlineData("second op fails", "[{'op':'add','path':'/b','value':1},{'op':'remove','path':'/zz'}]", PatchErrorKind.Invalid, "/1/path")]
    [InlineData("test fails", "[{'op':'test','path':'/a','value':2}]", PatchErrorKind.Conflict, "/0")]
    public void Refuses(string name, string patch, PatchErrorKind kind, string path)
    {
        var document = Json.Parse("{'a':1,'list':[1,2],'obj':{'inner':1}}");
        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(document, Json.Parse(patch)));
        Assert.True(kind == error.Kind, name);
        Assert.Equal(path, error.Path);
    }
}
