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

        return errors;
    }

    public override IReadOnlyList<object?> Cells(V1Lease obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return [obj.Metadata?.Name, obj.Spec?.HolderIdentity ?? "", TableFormat.Age(obj.Metadata?.CreationTimestamp, now)];
    }
}
