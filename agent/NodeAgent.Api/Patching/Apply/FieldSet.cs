using System.Text.Json.Nodes;

namespace NodeAgent.Api.Patching.Apply;

/// <summary>A set of <see cref="FieldPath"/>s with the FieldsV1 encoding managedFields use.</summary>
internal sealed class FieldSet
{
    private readonly HashSet<string> paths;

    public FieldSet()
        : this([])
    {
    }

    private FieldSet(IEnumerable<string> paths) => this.paths = new HashSet<string>(paths, StringComparer.Ordinal);

    public int Count => paths.Count;

    public IEnumerable<string> Paths => paths;

    public void Add(string path) => paths.Add(path);

    public bool Contains(string path) => paths.Contains(path);

    /// <summary>True when the set has <paramref name="path"/> or anything below it.</summary>
    public bool ContainsOrHasDescendant(string path) => paths.Contains(path) || paths.Any(p => FieldPath.IsPrefixOf(path, p));

    public FieldSet Union(FieldSet other) => new(paths.Concat(other.paths));

    public FieldSet Except(FieldSet other) => new(paths.Where(p => !other.paths.Contains(p)));

    public FieldSet Intersect(FieldSet other) => new(paths.Where(other.paths.Contains));

    public FieldSet Where(Func<string, bool> keep) => new(paths.Where(keep));

    public bool SetEquals(FieldSet other) => paths.SetEquals(other.paths);

    /// <summary>
    /// FieldsV1: one nested object per path element; a path that is itself in the set and has children below it
    /// gets a "." member. Elements are sorted as structured-merge-diff sorts them (fields, keys, values, indexes).
    /// </summary>
    public JsonObject ToFieldsV1()
    {
        var root = new Node();
        foreach (var path in paths)
        {
            var node = root;
            foreach (var element in FieldPath.Elements(path))
            {
                if (!node.Children.TryGetValue(element, out var child))
                {
                    child = new Node();
                    node.Children.Add(element, child);
                }

                node = child;
            }

            node.Member = true;
        }

        return root.ToJson();
    }

    public static FieldSet FromFieldsV1(JsonObject fields)
    {
        var set = new FieldSet();
        Collect(fields, "", set);
        return set;
    }

    private static void Collect(JsonObject node, string path, FieldSet set)
    {
        foreach (var (element, value) in node)
        {
            if (element == ".")
            {
                set.Add(path);
                continue;
            }

            var childPath = FieldPath.Append(path, element);
            if (value is JsonObject child && child.Count > 0)
            {
                Collect(child, childPath, set);
            }
            else
            {
                set.Add(childPath);
            }
        }
    }

    private sealed class Node
    {
        public bool Member { get; set; }

        public SortedDictionary<string, Node> Children { get; } = new(ElementOrder.Instance);

        public JsonObject ToJson()
        {
            var o = new JsonObject();
            if (Member && Children.Count > 0)
            {
                o["."] = new JsonObject();
            }

            foreach (var (element, child) in Children)
            {
                o[element] = child.ToJson();
            }

            return o;
        }
    }

    private sealed class ElementOrder : IComparer<string>
    {
        public static readonly ElementOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var byKind = Rank(x).CompareTo(Rank(y));
            return byKind != 0 ? byKind : string.CompareOrdinal(x, y);
        }

        private static int Rank(string? element) => element?[0] switch
        {
            'f' => 0,
            'k' => 1,
            'v' => 2,
            _ => 3,
        };
    }
}
