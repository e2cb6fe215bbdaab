using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Tests.Resources.Validation;

/// <summary>Age cells as kubectl prints them (duration.HumanDuration).</summary>
public sealed class TableFormatTests
{
    [Theory]
    [InlineData(5, "5s")]
    [InlineData(119, "119s")]
    [InlineData(150, "2m30s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 60, "3h1m")]
    [InlineData(10 * 3600, "10h")]
    [InlineData(3 * 86400 + 7200, "3d2h")]
    [InlineData(30 * 86400, "30d")]
    [InlineData(3 * 365 * 86400 + 86400, "3y1d")]
    public void Age(long seconds, string expected) =>
        Assert.Equal(expected, TableFormat.Age(Manifests.Now.UtcDateTime.AddSeconds(-seconds), Manifests.Now));
}
