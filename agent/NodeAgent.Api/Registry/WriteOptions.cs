namespace NodeAgent.Api.Registry;

/// <summary>How unknown or duplicate fields in a request body are treated (the <c>fieldValidation</c> parameter).</summary>
public enum FieldValidationMode
{
    Ignore,
    Warn,
    Strict,
}

/// <summary>What every write carries: dry run, the field manager recorded in managedFields, and apply's force.</summary>
public sealed record WriteOptions(bool DryRun, string FieldManager, bool Force = false)
{
    public static WriteOptions Internal { get; } = new(false, "nodeagent");
}

/// <summary>
/// What a write handler turns a live object into. <paramref name="Body"/> is the desired
/// object; <paramref name="ManagedFieldsRecorded"/> says managedFields are already final (server-side apply).
/// </summary>
public sealed record Desired(System.Text.Json.Nodes.JsonObject Body, bool ManagedFieldsRecorded = false);
