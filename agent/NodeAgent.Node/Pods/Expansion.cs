using System.Text;

namespace NodeAgent.Node.Pods;

/// <summary>
/// Kubernetes <c>$(VAR)</c> expansion (k8s.io/kubernetes/third_party/forked/golang/expansion): <c>$$</c> is a literal
/// <c>$</c>, an unknown or unterminated reference stays as written.
/// </summary>
public static class Expansion
{
    public static string Expand(string input, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(lookup);
        var output = new StringBuilder(input.Length);
        var i = 0;
        while (i < input.Length)
        {
            if (input[i] != '$' || i + 1 >= input.Length)
            {
                output.Append(input[i]);
                i++;
                continue;
            }

            var next = input[i + 1];
            if (next == '$')
            {
                output.Append('$');
                i += 2;
            }
            else if (next == '(')
            {
                var close = input.IndexOf(')', i + 2);
                if (close < 0)
                {
                    output.Append(input, i, input.Length - i);
                    break;
                }

                var name = input[(i + 2)..close];
                output.Append(name.Length > 0 && lookup(name) is { } value ? value : input[i..(close + 1)]);
                i = close + 1;
            }
            else
            {
                output.Append('$').Append(next);
                i += 2;
            }
        }

        return output.ToString();
    }
}
