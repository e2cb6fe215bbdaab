namespace NodeAgent.Runtime.Errors;

/// <summary>Lets other error types (registry, content store) declare their category without inheriting.</summary>
public interface ICategorizedError
{
    RuntimeErrorKind Kind { get; }
}

public static class CategorizedError
{
    public static bool TryGetKind(Exception exception, out RuntimeErrorKind kind)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is ICategorizedError categorized)
            {
                kind = categorized.Kind;
                return true;
            }
        }

        kind = RuntimeErrorKind.Internal;
        return false;
    }
}
