namespace NodeAgent.Runtime;

/// <summary>
/// An exclusive lock file in the data dir: two runtimes on one data dir would corrupt each other's
/// state, so the second one fails at start with a message naming the lock.
/// </summary>
public sealed class RuntimeLock : IDisposable
{
    private readonly FileStream _file;

    private RuntimeLock(FileStream file) => _file = file;

    public static RuntimeLock Acquire(RuntimePaths paths)
    {
        Directory.CreateDirectory(paths.RunDir);
        Directory.CreateDirectory(paths.DataDir);
        var path = Path.Combine(paths.DataDir, "runtime.lock");
        try
        {
            // FileShare.None takes an advisory flock on Unix, released by the kernel if we die.
            return new RuntimeLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new RuntimeLockHeldException($"another nodeagent runtime is using {paths.DataDir} (lock {path} is held)", e);
        }
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>The data dir belongs to a running runtime.</summary>
public sealed class RuntimeLockHeldException : IOException
{
    public RuntimeLockHeldException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RuntimeLockHeldException()
    {
    }

    public RuntimeLockHeldException(string message)
        : base(message)
    {
    }
}
