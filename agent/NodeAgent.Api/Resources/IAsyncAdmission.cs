namespace NodeAgent.Api.Resources;

/// <summary>
/// Optional, for strategies that must reserve something outside the object on create (a Service's
/// clusterIP and nodePorts) and give it back on delete or when the create fails afterwards.
/// The REST handlers call <see cref="AdmitCreateAsync"/> after defaulting and validation and before
/// the write (not for dryRun), <see cref="ReleaseAsync"/> when that write fails and after the object
/// is finally removed from storage, and <see cref="AdmitUpdateAsync"/> before an update is written.
/// </summary>
public interface IAsyncAdmission
{
    Task AdmitCreateAsync(object obj, CancellationToken ct);

    Task AdmitUpdateAsync(object obj, object old, CancellationToken ct);

    Task ReleaseAsync(object obj, CancellationToken ct);
}
