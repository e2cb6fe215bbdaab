using System.Globalization;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>
/// Upstream's label selector grammar, lexer and recursive-descent parser, so that the same inputs are accepted
/// and the same messages come back:
/// <code>
/// selector    ::= requirement | requirement "," selector
/// requirement ::= ["!"] KEY | KEY ("=" | "==" | "!=" | "&gt;" | "&lt;") VALUE | KEY ("in" | "notin") "(" VALUES ")"
/// </code>
/// "in" and "notin" are keywords only where an operator is expected.
/// </summary>
internal static class LabelSelectorParser
{
    private enum Token
    {
        Error,
        EndOfString,
        Identifier,
        DoesNotExist,
        Equals,
        DoubleEquals,
        NotEquals,
        GreaterThan,
        LessThan,
        In,
        NotIn,
        OpenPar,
        ClosedPar,
        Comma,
    }

    private static readonly Dictionary<string, Token> Symbols = new(StringComparer.Ordinal)
    {
        ["!"] = Token.DoesNotExist,
        ["!="] = Token.NotEquals,
        ["("] = Token.OpenPar,
        [")"] = Token.ClosedPar,
        [","] = Token.Comma,
        ["="] = Token.Equals,
        ["=="] = Token.DoubleEquals,
        [">"] = Token.GreaterThan,
        ["<"] = Token.LessThan,
    };

    public static List<LabelRequirement> Parse(string text)
    {
        var tokens = Lex(text);
        var position = 0;
        var requirements = new List<LabelRequirement>();
        while (true)
        {
            var (token, literal) = Lookahead(tokens, position, values: true);
            switch (token)
            {
                case Token.Identifier or Token.DoesNotExist:
                    try
                    {
                        requirements.Add(ParseRequirement(tokens, ref position));
                    }
                    catch (FormatException e)
                    {
                        throw new FormatException("unable to parse requirement: " + e.Message);
                    }

                    var (next, nextLiteral) = Consume(tokens, ref position, values: true);
                    switch (next)
                    {
                        case Token.EndOfString:
                            return requirements;
                        case Token.Comma:
                            var (after, afterLiteral) = Lookahead(tokens, position, values: true);
                            if (after is not (Token.Identifier or Token.DoesNotExist))
                            {
                                throw new FormatException($"found '{afterLiteral}', expected: identifier after ','");
                            }

                            break;
                        default:
                            throw new FormatException($"found '{nextLiteral}', expected: ',' or 'end of string'");
                    }

                    break;
                case Token.EndOfString:
                    return requirements;
                default:
                    throw new FormatException($"found '{literal}', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private static LabelRequirement ParseRequirement(List<(Token Token, string Literal)> tokens, ref int position)
    {
        var negated = false;
        var (token, key) = Consume(tokens, ref position, values: true);
        if (token == Token.DoesNotExist)
        {
            negated = true;
            (token, key) = Consume(tokens, ref position, values: true);
        }

        if (token != Token.Identifier)
        {
            throw new FormatException($"found '{key}', expected: identifier");
        }

        var keyErrors = LabelValidation.KeyErrors(key);
        if (keyErrors.Count > 0)
        {
            // Upstream validates the key with a nil field path, which prints as "<nil>".
            throw new FormatException("<nil>: " + new FieldError(FieldErrorType.Invalid, "", string.Join("; ", keyErrors), key).Message);
        }

        var (following, _) = Lookahead(tokens, position, values: true);
        if (negated || following is Token.EndOfString or Token.Comma)
        {
            return new LabelRequirement(key, negated ? LabelOperator.DoesNotExist : LabelOperator.Exists, []);
        }

        var (opToken, opLiteral) = Consume(tokens, ref position, values: false);
        var op = opToken switch
        {
            Token.In => LabelOperator.In,
            Token.NotIn => LabelOperator.NotIn,
            Token.Equals => LabelOperator.Equals,
            Token.DoubleEquals => LabelOperator.DoubleEquals,
            Token.NotEquals => LabelOperator.NotEquals,
            Token.GreaterThan => LabelOperator.GreaterThan,
            Token.LessThan => LabelOperator.LessThan,
            _ => throw new FormatException($"found '{opLiteral}', expected: in, notin, =, ==, !=, gt, lt"),
        };
        var values = op is LabelOperator.In or LabelOperator.NotIn
            ? ParseValues(tokens, ref position)
            : ParseExactValue(tokens, ref position);
        return Validated(new LabelRequirement(key, op, values));
    }

    private static List<string> ParseValues(List<(Token Token, string Literal)> tokens, ref int position)
    {
        var (token, literal) = Consume(tokens, ref position, values: true);
        if (token != Token.OpenPar)
        {
            throw new FormatException($"found '{literal}' expected: '('");
        }

        (token, literal) = Lookahead(tokens, position, values: true);
        switch (token)
        {
            case Token.Identifier or Token.Comma:
                var values = ParseIdentifiers(tokens, ref position);
                if (Consume(tokens, ref position, values: true).Token != Token.ClosedPar)
                {
                    throw new FormatException($"found '{literal}', expected: ')'");
                }

                return values;
            case Token.ClosedPar:
                position++;
                return [""];
            default:
                throw new FormatException($"found '{literal}', expected: ',', ')' or identifier");
        }
    }

    // A possibly empty, comma-separated list of possibly empty values ("(a,,b)" holds "").
    private static List<string> ParseIdentifiers(List<(Token Token, string Literal)> tokens, ref int position)
    {
        var values = new List<string>();
        void Add(string value)
        {
            if (!values.Contains(value, StringComparer.Ordinal))
            {
                values.Add(value);
            }
        }

        while (true)
        {
            var (token, literal) = Consume(tokens, ref position, values: true);
            switch (token)
            {
                case Token.Identifier:
                    Add(literal);
                    var (next, nextLiteral) = Lookahead(tokens, position, values: true);
                    switch (next)
                    {
                        case Token.Comma:
                            continue;
                        case Token.ClosedPar:
                            return values;
                        default:
                            throw new FormatException($"found '{nextLiteral}', expected: ',' or ')'");
                    }

                case Token.Comma:
                    if (values.Count == 0)
                    {
                        Add("");
                    }

                    var (following, _) = Lookahead(tokens, position, values: true);
                    if (following == Token.ClosedPar)
                    {
                        Add("");
                        return values;
                    }

                    if (following == Token.Comma)
                    {
                        position++;
                        Add("");
                    }

                    break;
                default:
                    throw new FormatException($"found '{literal}', expected: ',', or identifier");
            }
        }
    }

    private static List<string> ParseExactValue(List<(Token Token, string Literal)> tokens, ref int position)
    {
        var (token, _) = Lookahead(tokens, position, values: true);
        if (token is Token.EndOfString or Token.Comma)
        {
            return [""];
        }

        (token, var literal) = Consume(tokens, ref position, values: true);
        return token == Token.Identifier ? [literal] : throw new FormatException($"found '{literal}', expected: identifier");
    }

    // Upstream's NewRequirement checks on the values.
    private static LabelRequirement Validated(LabelRequirement requirement)
    {
        var errors = new List<string>();
        for (var i = 0; i < requirement.Values.Count; i++)
        {
            var value = requirement.Values[i];
            if (requirement.Operator is LabelOperator.GreaterThan or LabelOperator.LessThan)
            {
                if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"values[{i}]: " + new FieldError(FieldErrorType.Invalid, "", "for 'Gt', 'Lt' operators, the value must be an integer", value).Message);
                }

                continue;
            }

            var valueErrors = LabelValidation.ValueErrors(value);
            if (valueErrors.Count > 0)
            {
                errors.Add($"values[{i}]: " + new FieldError(FieldErrorType.Invalid, "", string.Join("; ", valueErrors), value).Message);
            }
        }

        return errors.Count switch
        {
            0 => requirement,
            1 => throw new FormatException(errors[0]),
            _ => throw new FormatException($"[{string.Join(", ", errors)}]"),
        };
    }

    private static (Token Token, string Literal) Lookahead(List<(Token Token, string Literal)> tokens, int position, bool values)
    {
        var (token, literal) = tokens[Math.Min(position, tokens.Count - 1)];
        return values && token is Token.In or Token.NotIn ? (Token.Identifier, literal) : (token, literal);
    }

    private static (Token Token, string Literal) Consume(List<(Token Token, string Literal)> tokens, ref int position, bool values)
    {
        var result = Lookahead(tokens, position, values);
        position++;
        return result;
    }

    private static List<(Token Token, string Literal)> Lex(string text)
    {
        var tokens = new List<(Token, string)>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && IsWhitespace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                tokens.Add((Token.EndOfString, ""));
                return tokens;
            }

            var start = i;
            if (IsSpecial(text[i]))
            {
                // The longest run of special characters that is still a symbol.
                Token? found = null;
                var end = i;
                while (i < text.Length && IsSpecial(text[i]) && Symbols.TryGetValue(text[start..(i + 1)], out var symbol))
                {
                    found = symbol;
                    i++;
                    end = i;
                }

                if (found is null)
                {
                    tokens.Add((Token.Error, $"error expected: keyword found '{text[start]}'"));
                    i++;
                    continue;
                }

                tokens.Add((found.Value, text[start..end]));
                continue;
            }

            while (i < text.Length && !IsWhitespace(text[i]) && !IsSpecial(text[i]))
            {
                i++;
            }

            var word = text[start..i];
            tokens.Add((word switch { "in" => Token.In, "notin" => Token.NotIn, _ => Token.Identifier }, word));
        }
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsSpecial(char c) => c is '=' or '!' or '(' or ')' or ',' or '>' or '<';
}
