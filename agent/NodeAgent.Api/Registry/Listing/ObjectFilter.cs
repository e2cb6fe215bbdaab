using k8s.Models;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>The label and field selectors of a list or watch (and the one name of a single-object watch), applied to stored items.</summary>
internal sealed class ObjectFilter
{
    private readonly ResourceDefinition _resource;
    private readonly LabelSelector _labels;
    private readonly FieldSelector _fields;
    private readonly string? _exactKey;

    private ObjectFilter(ResourceDefinition resource, LabelSelector labels, FieldSelector fields, string? exactKey)
    {
        _resource = resource;
        _labels = labels;
        _fields = fields;
        _exactKey = exactKey;
    }

    /// <summary>True when everything matches (so counts such as remainingItemCount are exact).</summary>
    public bool IsEverything => _labels.IsEmpty && _fields.IsEmpty && _exactKey is null;

    /// <summary>
    /// The filter for a request; a field the kind cannot select on is 400 <c>field label not supported: x</c>,
    /// as upstream's field label conversion answers.
    /// </summary>
    public static ObjectFilter Create(ResourceDefinition resource, ListParameters parameters, string? exactKey)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(parameters);
        var supported = SupportedFields(resource);
        foreach (var requirement in parameters.FieldSelector.Requirements)
        {
            if (supported is not null && !supported.Contains(requirement.Field))
            {
                throw ApiStatusException.BadRequest($"field label not supported: {requirement.Field}");
            }
        }

        return new ObjectFilter(resource, parameters.LabelSelector, parameters.FieldSelector, exactKey);
    }

    public bool Matches(StoredItem item)
    {
        if (_exactKey is not null && !string.Equals(item.Key, _exactKey, StringComparison.Ordinal))
        {
            return false;
        }

        if (!_labels.IsEmpty && !_labels.Matches(item.Labels))
        {
            return false;
        }

        return _fields.IsEmpty || _fields.Matches(field => item.Field(field, _resource));
    }

    // The field names a kind selects on, from its strategy applied to an empty object; null if the strategy
    // cannot handle one (then every name is let through and unknown ones match as "").
    private static HashSet<string>? SupportedFields(ResourceDefinition resource)
    {
        try
        {
            var empty = Activator.CreateInstance(resource.ModelType);
            if (empty is IMetadata<V1ObjectMeta> withMetadata)
            {
                withMetadata.Metadata = new V1ObjectMeta();
            }

            return empty is null ? null : [.. resource.Strategy.SelectableFields(empty).Keys];
        }
        catch (Exception e) when (e is NullReferenceException or InvalidCastException or MissingMethodException or InvalidOperationException)
        {
            return null;
        }
    }
}
