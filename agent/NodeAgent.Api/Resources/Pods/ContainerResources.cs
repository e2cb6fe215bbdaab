using k8s.Models;
using NodeAgent.Api.Resources.Validation;

namespace NodeAgent.Api.Resources.Pods;

/// <summary>Upstream's ValidateResourceRequirements for a container's requests and limits.</summary>
internal static class ContainerResources
{
    public static void Validate(V1ResourceRequirements? resources, string path, List<FieldError> errors)
    {
        if (resources is null)
        {
            return;
        }

        var limitsPath = path.Child("limits");
        var requestsPath = path.Child("requests");
        var limits = resources.Limits ?? new Dictionary<string, ResourceQuantity>();
        foreach (var (name, quantity) in limits)
        {
            Quantity(name, quantity, limitsPath.Key(name), errors);
        }

        foreach (var (name, quantity) in resources.Requests ?? new Dictionary<string, ResourceQuantity>())
        {
            Quantity(name, quantity, requestsPath.Key(name), errors);
            if (limits.TryGetValue(name, out var limit))
            {
                var request = Quantities.ValueOf(quantity);
                var max = Quantities.ValueOf(limit);
                if (request is null || max is null)
                {
                    continue;
                }

                if (request != max && !OvercommitAllowed(name))
                {
                    errors.Add(new FieldError(FieldErrorType.Invalid, requestsPath, $"must be equal to {name} limit of {Quantities.Canonical(limit)}", Quantities.Canonical(quantity)));
                }
                else if (request > max)
                {
                    errors.Add(new FieldError(FieldErrorType.Invalid, requestsPath, $"must be less than or equal to {name} limit of {Quantities.Canonical(limit)}", Quantities.Canonical(quantity)));
                }
            }
            else if (!OvercommitAllowed(name))
            {
                errors.Add(new FieldError(FieldErrorType.Required, limitsPath, "Limit must be set for non overcommitable resources"));
            }
        }

        var names = limits.Keys.Concat(resources.Requests?.Keys ?? []).ToList();
        if (names.Any(IsHugePages) && !names.Any(n => n is "cpu" or "memory"))
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, path, "HugePages require cpu or memory"));
        }
    }

    private static void Quantity(string name, ResourceQuantity quantity, string path, List<FieldError> errors)
    {
        ResourceName(name, path, errors);
        var value = Quantities.ValueOf(quantity);
        if (value is null)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", quantity.ToString()));
            return;
        }

        if (value < 0)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, "must be greater than or equal to 0", Quantities.Canonical(quantity)));
        }

        if (!IsNative(name) && value % 1 != 0)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, "must be an integer", Quantities.Canonical(quantity)));
        }
    }

    private static void ResourceName(string name, string path, List<FieldError> errors)
    {
        foreach (var m in NameRules.QualifiedName(name))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, m, name));
        }

        if (!name.Contains('/', StringComparison.Ordinal))
        {
            if (name is not ("cpu" or "memory" or "ephemeral-storage") && !IsHugePages(name))
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, path, "must be a standard resource for containers", name));
            }
        }
        else if (!IsNative(name) && name.StartsWith("requests.", StringComparison.Ordinal))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, "doesn't follow extended resource name standard", name));
        }
    }

    private static bool IsHugePages(string name) => name.StartsWith("hugepages-", StringComparison.Ordinal);

    /// <summary>Names without a domain, or in kubernetes.io, are native; others are extended resources.</summary>
    private static bool IsNative(string name) =>
        !name.Contains('/', StringComparison.Ordinal) || name.Contains("kubernetes.io/", StringComparison.Ordinal);

    /// <summary>Only native non-hugepage resources may have requests below limits.</summary>
    private static bool OvercommitAllowed(string name) => IsNative(name) && !IsHugePages(name);
}
