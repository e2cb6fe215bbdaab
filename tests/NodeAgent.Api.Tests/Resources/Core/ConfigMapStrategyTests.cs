using k8s.Models;
using NodeAgent.Api.Resources.Core;
using static NodeAgent.Api.Tests.Resources.Core.StrategyKit;

namespace NodeAgent.Api.Tests.Resources.Core;

public sealed class ConfigMapStrategyTests
{
    private const string KeyRule = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

    private readonly ConfigMapStrategy _strategy = new();

    public static TheoryData<string, string, string[]> Cases => new()
    {
        { "plain keys", "data: {a.conf: x, B_2: y, -c: z}", [] },
        { "slash in a key", "data: {a/b: x}", [$"data[a/b]|FieldValueInvalid|Invalid value: \"a/b\": {KeyRule}"] },
        { "dot", "data: {'.': x}", ["data[.]|FieldValueInvalid|Invalid value: \".\": must not be '.'"] },
        { "dot dot prefix", "data: {..a: x}", ["data[..a]|FieldValueInvalid|Invalid value: \"..a\": must not start with '..'"] },
        { "binary key", "binaryData: {'a b': eA==}", [$"binaryData[a b]|FieldValueInvalid|Invalid value: \"a b\": {KeyRule}"] },
        { "key in both maps", "data: {k: x}\nbinaryData: {k: eA==}", ["data[k]|FieldValueInvalid|Invalid value: \"k\": duplicate of key present in binaryData"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Keys_are_config_keys(string why, string body, string[] expected)
    {
        var cm = Yaml<V1ConfigMap>("metadata: {name: c, namespace: default}\n" + body);
        Assert.True(expected.SequenceEqual(Lines(Create(_strategy, cm))), $"{why}: {string.Join(" / ", Lines(_strategy.ValidateCreate(cm)))}");
    }

    [Fact]
    public void The_total_size_is_at_most_one_MiB()
    {
        var cm = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "big", NamespaceProperty = "default" },
            Data = new Dictionary<string, string> { ["a"] = new('x', 600 * 1024) },
            BinaryData = new Dictionary<string, byte[]> { ["b"] = new byte[600 * 1024] },
        };
        Assert.Equal(["|FieldValueTooLong|Too long: may not be more than 1048576 bytes"], Lines(Create(_strategy, cm)));
        cm.BinaryData["b"] = new byte[400 * 1024];
        Assert.Empty(_strategy.ValidateCreate(cm));
    }

    [Fact]
    public void An_immutable_configmap_refuses_data_changes_and_unsetting_immutable()
    {
        var old = Yaml<V1ConfigMap>("metadata: {name: c, namespace: default}\nimmutable: true\ndata: {a: '1'}");
        var changed = Yaml<V1ConfigMap>("metadata: {name: c, namespace: default}\nimmutable: true\ndata: {a: '2'}");
        Assert.Equal(["data|FieldValueForbidden|Forbidden: field is immutable when `immutable` is set"], Lines(_strategy.ValidateUpdate(changed, old)));

        var unset = Yaml<V1ConfigMap>("metadata: {name: c, namespace: default}\ndata: {a: '1'}");
        Assert.Equal(["immutable|FieldValueForbidden|Forbidden: field is immutable when `immutable` is set"], Lines(_strategy.ValidateUpdate(unset, old)));

        var labelsOnly = Yaml<V1ConfigMap>("metadata: {name: c, namespace: default, labels: {x: y}}\nimmutable: true\ndata: {a: '1'}");
        Assert.Empty(_strategy.ValidateUpdate(labelsOnly, old));
    }

    [Fact]
    public void A_mutable_configmap_may_change_and_become_immutable()
    {
        var old = Yaml<V1ConfigMap>("metadata: {name: c, namespace: default}\ndata: {a: '1'}");
        var changed = Yaml<V1ConfigMap>("metadata: {name: c, namespace: default}\nimmutable: true\ndata: {a: '2'}");
        Assert.Empty(_strategy.ValidateUpdate(changed, old));
    }

    [Fact]
    public void DATA_counts_data_and_binaryData_keys()
    {
        var cm = Yaml<V1ConfigMap>("metadata: {name: c, namespace: default}\ndata: {a: '1', b: '2'}\nbinaryData: {c: eA==}");
        cm.Metadata.CreationTimestamp = Now.UtcDateTime.AddSeconds(-42);
        Assert.Equal(["Name", "Data", "Age"], _strategy.Columns.Select(c => c.Name));
        Assert.Equal(["c", 3L, "42s"], _strategy.Cells(cm, Now));
    }
}
