namespace NodeAgent.Runtime.Common.Processes;

/// <summary>
/// One run of an external program: an explicit argument list (never a shell), optional stdin bytes,
/// and environment changes on top of the agent's own (a null value removes a variable).
/// </summary>
public sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments)
{
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>When true the child starts with only <see cref="Environment"/> (CNI plugins, for example).</summary>
    public bool ClearEnvironment { get; init; }

    public ReadOnlyMemory<byte>? StandardInput { get; init; }

    public string? WorkingDirectory { get; init; }

    /// <summary>The program is killed (and reaped) when it runs longer than this.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    public override string ToString() => Arguments.Count == 0 ? FileName : $"{FileName} {string.Join(' ', Arguments)}";
}

/// <summary>The outcome of a program that exited.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
