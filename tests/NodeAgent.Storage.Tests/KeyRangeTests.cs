namespace NodeAgent.Storage.Tests;

public sealed class KeyRangeTests
{
    [Theory]
    [InlineData("/registry/pods/", "/registry/pods0")]
    [InlineData("/registry/pods/default/web-1", "/registry/pods/default/web-2")]
    [InlineData("a", "b")]
    public void PrefixEnd_IsThePrefixWithItsLastCharacterIncreased(string prefix, string end)
        => Assert.Equal(end, KeyRange.PrefixEnd(prefix));

    [Fact]
    public void PrefixEnd_OfTheEmptyPrefix_IsOpen() => Assert.Null(KeyRange.PrefixEnd(""));

    [Fact]
    public void PrefixEnd_IsAboveEveryKeyWithThePrefix_AndBelowTheNextSibling()
    {
        var end = KeyRange.PrefixEnd("/registry/pods/")!;
        Assert.True(string.CompareOrdinal("/registry/pods/\uD7FEzzz", end) < 0);
        Assert.True(string.CompareOrdinal("/registry/pods/~", end) < 0);
        Assert.True(string.CompareOrdinal("/registry/podsx", end) > 0);
    }
}
