using System.Globalization;

namespace NodeAgent.Api.Resources.Validation;

/// <summary>Builds field paths in upstream notation: <c>spec.containers[0].ports[1].name</c>, <c>metadata.labels[app]</c>.</summary>
public static class FieldPath
{
    public static string Child(this string path, params string[] names) =>
        path.Length == 0 ? string.Join('.', names) : path + "." + string.Join('.', names);

    public static string Index(this string path, int index) =>
        path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    public static string Key(this string path, string key) => path + "[" + key + "]";
}
