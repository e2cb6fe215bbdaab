namespace NodeAgent.Api.Resources.Core;

/// <summary>
/// A bad value that upstream prints with Go's <c>%#v</c> (a slice or a struct), e.g. <c>[]string{"10.43.0.5"}</c>;
/// <see cref="FieldError"/> prints it verbatim.
/// </summary>
internal sealed record GoValue(string Text)
{
    public static GoValue StringSlice(IEnumerable<string> values) =>
        new("[]string{" + string.Join(", ", values.Select(v => $"\"{v}\"")) + "}");

    public override string ToString() => Text;
}
