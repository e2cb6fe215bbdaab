namespace NodeAgent.Api.Patching;

/// <summary>Why a patch was refused; the API server maps each kind to one HTTP status.</summary>
public enum PatchErrorKind
{
    /// <summary>Malformed patch (400/422).</summary>
    Invalid,

    /// <summary>A JSON patch <c>test</c> failed, or server-side apply found conflicting owners (409).</summary>
    Conflict,

    /// <summary>The patch type is not one this server understands (415).</summary>
    UnsupportedMediaType,
}
