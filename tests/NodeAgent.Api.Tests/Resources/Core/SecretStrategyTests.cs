using System.Text;
using k8s.Models;
using NodeAgent.Api.Resources;
using NodeAgent.Api.Resources.Core;
using static NodeAgent.Api.Tests.Resources.Core.StrategyKit;

namespace NodeAgent.Api.Tests.Resources.Core;

public sealed class SecretStrategyTests
{
    private readonly SecretStrategy _strategy = new();

    [Fact]
    public void StringData_is_merged_into_data_over_existing_keys_and_the_type_defaults_to_Opaque()
    {
        var secret = Yaml<V1Secret>("""
            apiVersion: v1
            kind: Secret
            metadata: {name: db, namespace: default}
            data: {user: YWRtaW4=, password: b2xk}
            stringData: {password: s3cr3t, host: db.local}
            """);
        Assert.Empty(Create(_strategy, secret));
        Assert.Null(secret.StringData);
        Assert.Equal("s3cr3t", Encoding.UTF8.GetString(secret.Data["password"]));
        MatchJson(secret);
    }

    public static TheoryData<string, string, string[]> Cases => new()
    {
        { "opaque needs nothing", "type: Opaque", [] },
        {
            "service account token needs the account annotation", "type: kubernetes.io/service-account-token",
            ["metadata.annotations[kubernetes.io/service-account.name]|FieldValueRequired|Required value"]
        },
        {
            "service account token with the annotation",
            "type: kubernetes.io/service-account-token\nmetadata: {name: s, namespace: default, annotations: {kubernetes.io/service-account.name: default}}", []
        },
        { "docker config json needs its key", "type: kubernetes.io/dockerconfigjson", ["data[.dockerconfigjson]|FieldValueRequired|Required value"] },
        {
            "docker config json must be a JSON object", "type: kubernetes.io/dockerconfigjson\nstringData: {.dockerconfigjson: '[1]'}",
            ["data[.dockerconfigjson]|FieldValueInvalid|Invalid value: \"<secret contents redacted>\": json: cannot unmarshal array into Go value of type map[string]interface {}"]
        },
        { "docker config json", "type: kubernetes.io/dockerconfigjson\nstringData: {.dockerconfigjson: '{\"auths\":{}}'}", [] },
        { "legacy docker config", "type: kubernetes.io/dockercfg", ["data[.dockercfg]|FieldValueRequired|Required value"] },
        {
            "TLS needs certificate and key", "type: kubernetes.io/tls",
            ["data[tls.crt]|FieldValueRequired|Required value", "data[tls.key]|FieldValueRequired|Required value"]
        },
        { "TLS with only a key", "type: kubernetes.io/tls\nstringData: {tls.key: k}", ["data[tls.crt]|FieldValueRequired|Required value"] },
        {
            "basic auth needs a username or a password", "type: kubernetes.io/basic-auth",
            ["data[username]|FieldValueRequired|Required value", "data[password]|FieldValueRequired|Required value"]
        },
        { "basic auth with a username only", "type: kubernetes.io/basic-auth\nstringData: {username: u}", [] },
        { "ssh auth needs the private key", "type: kubernetes.io/ssh-auth", ["data[ssh-privatekey]|FieldValueRequired|Required value"] },
        {
            "keys are config keys", "stringData: {a/b: x}",
            ["data[a/b]|FieldValueInvalid|Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_type_requires_its_keys(string why, string body, string[] expected)
    {
        var yaml = body.Contains("metadata:", StringComparison.Ordinal) ? body : "metadata: {name: s, namespace: default}\n" + body;
        var secret = Yaml<V1Secret>(yaml);
        Assert.True(expected.SequenceEqual(Lines(Create(_strategy, secret))), $"{why}: {string.Join(" / ", Lines(_strategy.ValidateCreate(secret)))}");
    }

    [Fact]
    public void Data_is_at_most_one_MiB()
    {
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "big", NamespaceProperty = "default" },
            Data = new Dictionary<string, byte[]> { ["a"] = new byte[(1024 * 1024) + 1] },
        };
        Assert.Equal(["data|FieldValueTooLong|Too long: may not be more than 1048576 bytes"], Lines(Create(_strategy, secret)));
    }

    [Fact]
    public void The_type_is_immutable()
    {
        var old = Defaulted("metadata: {name: s, namespace: default}");
        var changed = Defaulted("metadata: {name: s, namespace: default}\ntype: example.com/custom");
        Assert.Equal(["type|FieldValueInvalid|Invalid value: \"example.com/custom\": field is immutable"], Lines(_strategy.ValidateUpdate(changed, old)));
    }

    [Fact]
    public void An_immutable_secret_refuses_data_changes_even_through_stringData()
    {
        var old = Defaulted("metadata: {name: s, namespace: default}\nimmutable: true\nstringData: {a: '1'}");
        var same = Defaulted("metadata: {name: s, namespace: default}\nimmutable: true\nstringData: {a: '1'}");
        Assert.Empty(_strategy.ValidateUpdate(same, old));

        var changed = Defaulted("metadata: {name: s, namespace: default}\nimmutable: true\nstringData: {a: '2'}");
        Assert.Equal(["data|FieldValueForbidden|Forbidden: field is immutable when `immutable` is set"], Lines(_strategy.ValidateUpdate(changed, old)));
    }

    [Fact]
    public void Type_is_selectable_and_printed()
    {
        var secret = Defaulted("metadata: {name: tls, namespace: default}\ntype: kubernetes.io/tls\nstringData: {tls.crt: c, tls.key: k}");
        secret.Metadata.CreationTimestamp = Now.UtcDateTime.AddHours(-2);
        Assert.Equal("kubernetes.io/tls", ((IResourceStrategy)_strategy).SelectableFields(secret)["type"]);
        Assert.Equal(["Name", "Type", "Data", "Age"], _strategy.Columns.Select(c => c.Name));
        Assert.Equal(["tls", "kubernetes.io/tls", 2L, "120m"], _strategy.Cells(secret, Now));
    }

    private V1Secret Defaulted(string yaml)
    {
        var secret = Yaml<V1Secret>(yaml);
        _strategy.ApplyDefaults(secret);
        return secret;
    }
}
