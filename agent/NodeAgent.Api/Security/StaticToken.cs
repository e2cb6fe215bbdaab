namespace NodeAgent.Api.Security;

/// <summary>One line of a static token file: the token and who it authenticates as.</summary>
public sealed record StaticToken(string Token, string User, string Uid, IReadOnlyList<string> Groups);
