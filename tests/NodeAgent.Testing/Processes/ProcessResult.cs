namespace NodeAgent.Testing.Processes;

/// <summary>What a finished external program left behind.</summary>
public sealed record ProcessResult(string FileName, IReadOnlyList<string> Arguments, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Throws with the command line, exit code and output when the program failed.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (!Succeeded)
        {
            throw new InvalidOperationException(
                $"'{FileName} {string.Join(' ', Arguments)}' exited with {ExitCode}.\nstdout: {StandardOutput}\nstderr: {StandardError}");
        }

        return this;
    }
}
