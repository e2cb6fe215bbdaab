using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace NodeAgent.Api.Patching.Apply;

/// <summary>
/// A field path in structured-merge-diff's FieldsV1 vocabulary, kept as one string: elements separated by '\n'
/// (never present in an element: JSON escapes it). Elements are <c>f:name</c> (field), <c>k:{"name":"app"}</c>
/// (list item by key), <c>v:"x"</c> (set member) and <c>i:0</c> (item by index).
/// </summary>
internal static class FieldPath
{
    public const char Separator = '\n';

    public static string Field(string name) => "f:" + name;

    public static string Value(JsonNode? value) => "v:" + (value?.ToJsonString() ?? "null");

    public static string Index(int index) => "i:" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>A list item's key element; key fields in name order, as structured-merge-diff writes them.</summary>
    public static string Key(IEnumerable<KeyValuePair<string, JsonNode?>> fields)
    {
        var o = new JsonObject();
        foreach (var (name, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            o[name] = value?.DeepClone();
        }

        return "k:" + o.ToJsonString();
    }

    public static string Append(string path, string element) => path.Length == 0 ? element : path + Separator + element;

    public static string[] Elements(string path) => path.Length == 0 ? [] : path.Split(Separator);

    public static bool IsPrefixOf(string prefix, string path) =>
        path.Length > prefix.Length && path.StartsWith(prefix, StringComparison.Ordinal) && path[prefix.Length] == Separator;

    /// <summary>The path as Kubernetes prints it in conflicts: <c>.spec.containers[name="web"].image</c>.</summary>
    public static string Display(string path)
    {
        var sb = new StringBuilder();
        foreach (var element in Elements(path))
        {
            var body = element[2..];
            switch (element[0])
            {
                case 'f':
                    sb.Append('.').Append(body);
                    break;
                case 'k':
                    var fields = JsonNode.Parse(body)!.AsObject().Select(p => p.Key + "=" + p.Value?.ToJsonString());
                    sb.Append('[').AppendJoin(',', fields).Append(']');
                    break;
                case 'v':
                    sb.Append("[=").Append(body).Append(']');
                    break;
                default:
                    sb.Append('[').Append(body).Append(']');
                    break;
            }
        }

        return sb.ToString();
    }
}
