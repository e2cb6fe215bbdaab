namespace NodeAgent.Storage;

/// <summary>Why a storage call failed; the API maps each kind once to a Kubernetes Status.</summary>
public enum StorageErrorKind
{
    /// <summary>The key is not live (404).</summary>
    NotFound,

    /// <summary>A create found the key live (409 AlreadyExists).</summary>
    AlreadyExists,

    /// <summary>A compare-and-swap found another ModRevision (409 Conflict).</summary>
    Conflict,

    /// <summary>The revision asked for has been compacted (410 Gone).</summary>
    Gone,

    /// <summary>The revision asked for has not been written yet (504 "Too large resource version").</summary>
    FutureRevision,

    /// <summary>The backend cannot be reached or answered with an error (503).</summary>
    Unavailable,
}
