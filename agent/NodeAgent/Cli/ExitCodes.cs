namespace NodeAgent.Cli;

/// <summary>Process exit codes shared by every subcommand.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    public const int Failure = 1;

    /// <summary>Bad usage or configuration: unknown flag, malformed YAML, bad CIDR, missing file.</summary>
    public const int Usage = 2;

    /// <summary>The subcommand exists in the contract but is not built yet.</summary>
    public const int NotImplemented = 3;
}
