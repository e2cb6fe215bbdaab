using k8s.Models;

namespace NodeAgent.Api.Resources.Core;

/// <summary>core/v1 ServiceAccount: only the SECRETS column is kind-specific.</summary>
public sealed class ServiceAccountStrategy : ResourceStrategy<V1ServiceAccount>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."),
        AgeColumn,
    ];

    public override IReadOnlyList<object?> Cells(V1ServiceAccount obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return [obj.Metadata?.Name, (long)(obj.Secrets?.Count ?? 0), TableFormat.Age(obj.Metadata?.CreationTimestamp, now)];
    }
}
