using k8s.Models;
using NodeAgent.Api.Resources.Core;

namespace NodeAgent.Api.Resources.Cluster;

/// <summary>coordination.k8s.io/v1 Lease: ValidateLeaseSpec and the HOLDER column.</summary>
public sealed class LeaseStrategy : ResourceStrategy<V1Lease>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Holder", "string", "holderIdentity contains the identity of the holder of a current lease."),
        AgeColumn,
    ];

    /// <summary>
    /// Coordinated leader election (spec.strategy, spec.preferredHolder) is an alpha feature that is off in 1.32,
    /// so upstream drops those fields from new leases.
    /// </summary>
    public override void PrepareForCreate(V1Lease obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.Spec is { } spec)
        {
            spec.Strategy = null;
            spec.PreferredHolder = null;
        }
    }

    public override IReadOnlyList<FieldError> ValidateCreate(V1Lease obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        if (obj.Spec?.LeaseDurationSeconds is { } duration && duration <= 0)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.leaseDurationSeconds", "must be greater than 0", duration));
        }

        if (obj.Spec?.LeaseTransitions is { } transitions && transitions < 0)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.leaseTransitions", "must be greater than or equal to 0", transitions));
        }

        var strategy = obj.Spec?.Strategy;
        if (strategy is not null)
        {
            errors.AddRange(StrategyErrors(strategy));
        }

        if (!string.IsNullOrEmpty(obj.Spec?.PreferredHolder) && string.IsNullOrEmpty(strategy))
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, "spec.preferredHolder", "may only be specified if `strategy` is defined"));
        }

        return errors;
    }

    public override IReadOnlyList<object?> Cells(V1Lease obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return [obj.Metadata?.Name, obj.Spec?.HolderIdentity ?? "", TableFormat.Age(obj.Metadata?.CreationTimestamp, now)];
    }

    /// <summary>
    /// upstream <c>ValidateCoordinatedLeaseStrategy</c>: a Kubernetes-defined name or a domain-prefixed one.
    /// (Upstream appends "strategy" to a path that already ends in it; the doubled path is theirs.)
    /// </summary>
    private static IEnumerable<FieldError> StrategyErrors(string strategy)
    {
        const string path = "spec.strategy.strategy";
        if (!strategy.Contains('/', StringComparison.Ordinal))
        {
            if (strategy != "OldestEmulationVersion")
            {
                yield return new FieldError(FieldErrorType.NotSupported, path, CoreValidation.SupportedValues("OldestEmulationVersion"), strategy);
            }

            yield break;
        }

        foreach (var message in CoreValidation.QualifiedName(strategy))
        {
            yield return new FieldError(FieldErrorType.Invalid, path, message, strategy);
        }
    }
}
