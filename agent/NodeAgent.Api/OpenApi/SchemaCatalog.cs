using k8s.Models;
using NodeAgent.Api.Patching.Schema;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.OpenApi;

/// <summary>
/// Every schema the OpenAPI documents need, derived by reflection from the KubernetesClient models
/// of the served resources (their JSON names, types and doc comments) plus Patching's merge metadata.
/// Built once per document build and then dropped: only the serialized documents are kept.
/// </summary>
internal sealed class SchemaCatalog
{
    private const string QuantityDescription =
        "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.";

    private const string IntOrStringDescription =
        "IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type. This allows you to have, for example, a JSON field that can accept a name or number.";

    private const string PatchDescription = "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.";

    private readonly Dictionary<string, DefinitionSchema> _definitions;

    private SchemaCatalog(Dictionary<string, DefinitionSchema> definitions) => _definitions = definitions;

    public IReadOnlyDictionary<string, DefinitionSchema> Definitions => _definitions;

    public static SchemaCatalog Build(IReadOnlyList<ResourceDefinition> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var kinds = TopLevelKinds(resources);
        var types = Reachable(kinds.Keys);
        var docs = ModelDocs.Load(types);
        var patches = PatchAnnotations.Collect(resources);

        var definitions = new Dictionary<string, DefinitionSchema>(StringComparer.Ordinal);
        foreach (var type in types)
        {
            var name = DefinitionNames.Of(ModelTypes.Reached(type))!;
            definitions.TryAdd(name, Describe(type, name, kinds.GetValueOrDefault(type) ?? [], docs, patches));
        }

        definitions[DefinitionNames.Patch] = new DefinitionSchema(DefinitionNames.Patch, DefinitionForm.FreeFormObject, PatchDescription, [], [], []);
        return new SchemaCatalog(definitions);
    }

    /// <summary>The named definitions <paramref name="roots"/> refer to, transitively, sorted by name (a v3 group-version document's components).</summary>
    public IReadOnlyList<DefinitionSchema> Closure(IEnumerable<string> roots)
    {
        var seen = new SortedDictionary<string, DefinitionSchema>(StringComparer.Ordinal);
        var pending = new Stack<string>(roots);
        while (pending.TryPop(out var name))
        {
            if (seen.ContainsKey(name) || !_definitions.TryGetValue(name, out var definition))
            {
                continue;
            }

            seen[name] = definition;
            foreach (var property in definition.Properties)
            {
                if (Referenced(property.Shape) is { } target)
                {
                    pending.Push(target);
                }
            }
        }

        return [.. seen.Values];
    }

    private static string? Referenced(SchemaShape shape) => shape switch
    {
        RefShape reference => reference.Definition,
        ArrayShape array => Referenced(array.Items),
        MapShape map => Referenced(map.Values),
        _ => null,
    };

    /// <summary>The kinds served and the apimachinery kinds their operations use, each with its group-version-kinds.</summary>
    private static Dictionary<Type, List<GroupVersionKind>> TopLevelKinds(IReadOnlyList<ResourceDefinition> resources)
    {
        var kinds = new Dictionary<Type, List<GroupVersionKind>>();
        void Add(Type type, GroupVersionKind gvk)
        {
            if (!kinds.TryGetValue(type, out var list))
            {
                kinds[type] = list = [];
            }

            if (!list.Contains(gvk))
            {
                list.Add(gvk);
            }
        }

        Add(typeof(V1Status), new GroupVersionKind("", "v1", "Status"));
        foreach (var resource in resources)
        {
            Add(resource.ModelType, new GroupVersionKind(resource.Group, resource.Version, resource.Kind));
            if (resource.CreateOnly)
            {
                continue;
            }

            Add(resource.ListModelType, new GroupVersionKind(resource.Group, resource.Version, resource.ListKind));
            Add(typeof(V1DeleteOptions), new GroupVersionKind(resource.Group, resource.Version, "DeleteOptions"));
            if (resource.HasSubresource("scale"))
            {
                Add(typeof(V1Scale), new GroupVersionKind("autoscaling", "v1", "Scale"));
            }

            if (resource.HasSubresource("binding"))
            {
                Add(typeof(V1Binding), new GroupVersionKind("", "v1", "Binding"));
            }
        }

        foreach (var list in kinds.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(a.Group + "/" + a.Version + "/" + a.Kind, b.Group + "/" + b.Version + "/" + b.Kind));
        }

        return kinds;
    }

    private static HashSet<Type> Reachable(IEnumerable<Type> roots)
    {
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>(roots);
        while (pending.TryPop(out var type))
        {
            if (!seen.Add(type) || type == typeof(IntOrString) || type == typeof(ResourceQuantity))
            {
                continue;
            }

            foreach (var (property, _) in ModelProperties.Of(ModelTypes.Reached(type)))
            {
                var element = ModelProperties.ElementType(property.PropertyType);
                if (DefinitionNames.Of(element) is not null && !seen.Contains(element))
                {
                    pending.Push(element);
                }
            }
        }

        return seen;
    }

    private static DefinitionSchema Describe(
        Type type,
        string name,
        IReadOnlyList<GroupVersionKind> kinds,
        ModelDocs docs,
        IReadOnlyDictionary<(Type Type, string Property), FieldMeta> patches)
    {
        if (type == typeof(IntOrString))
        {
            return new DefinitionSchema(name, DefinitionForm.IntOrString, IntOrStringDescription, [], [], []);
        }

        if (type == typeof(ResourceQuantity))
        {
            return new DefinitionSchema(name, DefinitionForm.Quantity, QuantityDescription, [], [], []);
        }

        var properties = new List<PropertySchema>();
        var required = new List<string>();
        var knownRequired = RequiredFields.Of(name);
        foreach (var (property, jsonName) in ModelProperties.Of(ModelTypes.Reached(type)))
        {
            properties.Add(new PropertySchema(
                jsonName, ShapeOf(property.PropertyType), docs.ForProperty(type, property.Name), patches.GetValueOrDefault((type, jsonName))));

            // A non-nullable value type (ContainerPort.containerPort is int, hostPort is int?) is how the client marks required scalars.
            if ((property.PropertyType.IsValueType && Nullable.GetUnderlyingType(property.PropertyType) is null) || knownRequired.Contains(jsonName))
            {
                required.Add(jsonName);
            }
        }

        properties.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        required.Sort(StringComparer.Ordinal);
        return new DefinitionSchema(name, DefinitionForm.Object, docs.ForType(type), properties, required, kinds, RequiredFields.IsAtomicStruct(name));
    }

    private static SchemaShape ShapeOf(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
        {
            return new PrimitiveShape("string");
        }

        if (underlying == typeof(bool))
        {
            return new PrimitiveShape("boolean");
        }

        if (underlying == typeof(int) || underlying == typeof(short))
        {
            return new PrimitiveShape("integer", "int32");
        }

        if (underlying == typeof(long))
        {
            return new PrimitiveShape("integer", "int64");
        }

        if (underlying == typeof(double) || underlying == typeof(float) || underlying == typeof(decimal))
        {
            return new PrimitiveShape("number", "double");
        }

        if (underlying == typeof(DateTime) || underlying == typeof(DateTimeOffset))
        {
            return new PrimitiveShape("string", "date-time");
        }

        if (underlying == typeof(byte[]))
        {
            return new PrimitiveShape("string", "byte");
        }

        if (ModelProperties.IsMap(underlying))
        {
            return new MapShape(ShapeOf(ModelProperties.ElementType(underlying)));
        }

        if (ModelProperties.IsList(underlying))
        {
            return new ArrayShape(ShapeOf(ModelProperties.ElementType(underlying)));
        }

        return DefinitionNames.Of(ModelTypes.Reached(underlying)) is { } name ? new RefShape(name) : new FreeFormShape();
    }
}
