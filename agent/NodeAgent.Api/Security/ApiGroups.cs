namespace NodeAgent.Api.Security;

/// <summary>Groups with a meaning to the authorizer (upstream's names).</summary>
public static class ApiGroups
{
    /// <summary>Superusers: may do everything.</summary>
    public const string Masters = "system:masters";

    /// <summary>Every user that presented valid credentials.</summary>
    public const string Authenticated = "system:authenticated";
}
