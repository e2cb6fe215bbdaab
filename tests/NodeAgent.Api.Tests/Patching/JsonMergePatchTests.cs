using NodeAgent.Api.Patching;

namespace NodeAgent.Api.Tests.Patching;

public sealed class JsonMergePatchTests
{
    // The examples of RFC 7386 appendix A, plus Kubernetes-shaped ones.
    [Theory]
    [InlineData("{'a':'b'}", "{'a':'c'}", "{'a':'c'}")]
    [InlineData("{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}")]
    [InlineData("{'a':'b'}", "{'a':null}", "{}")]
    [InlineData("{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}")]
    [InlineData("{'a':['b']}", "{'a':'c'}", "{'a':'c'}")]
    [InlineData("{'a':'c'}", "{'a':['b']}", "{'a':['b']}")]
    [InlineData("{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}", "{'a':{'b':'d'}}")]
    [InlineData("{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}")]
    [InlineData("{'e':null}", "{'a':1}", "{'e':null,'a':1}")]
    [InlineData("{}", "{'a':{'bb':{'ccc':null}}}", "{'a':{'bb':{}}}")]
    [InlineData("{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}", "{'spec':{'containers':[{'name':'c'}]}}", "{'spec':{'containers':[{'name':'c'}]}}")]
    [InlineData("{'metadata':{'labels':{'a':'1','b':'2'}}}", "{'metadata':{'labels':{'a':null,'c':'3'}}}", "{'metadata':{'labels':{'b':'2','c':'3'}}}")]
    public void Applies(string document, string patch, string expected) =>
        Json.Equal(expected, JsonMergePatch.Apply(Json.Parse(document), Json.Parse(patch)));

    [Fact]
    public void A_non_object_patch_replaces_the_document() =>
        Json.Equal("['x']", JsonMergePatch.Apply(Json.Parse("{'a':1}"), Json.Parse("['x']")));

    [Fact]
    public void Never_modifies_the_input()
    {
        var document = Json.Parse("{'a':{'b':1}}");
        JsonMergePatch.Apply(document, Json.Parse("{'a':{'b':null}}"));
        Json.Equal("{'a':{'b':1}}", document);
    }
}
