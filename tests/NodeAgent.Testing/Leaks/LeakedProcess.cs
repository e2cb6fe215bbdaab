namespace NodeAgent.Testing.Leaks;

/// <summary>A live process whose command line carries the prefix.</summary>
public sealed record LeakedProcess(int Pid, string CommandLine)
{
    public override string ToString() => $"pid {Pid}: {CommandLine}";
}
