namespace NodeAgent.Testing.Leaks;

/// <summary>One table of an <c>iptables-save</c> dump.</summary>
public sealed record IptablesTable(string Name, IReadOnlyList<IptablesChain> Chains, IReadOnlyList<IptablesRule> Rules);

/// <summary>A chain declaration; <see cref="Policy"/> is "-" for user-defined chains.</summary>
public sealed record IptablesChain(string Name, string Policy);

/// <summary>A rule exactly as iptables-save prints it, e.g. <c>-A INPUT -m comment --comment "x" -j X</c>.</summary>
public sealed record IptablesRule(string Chain, string Text);
