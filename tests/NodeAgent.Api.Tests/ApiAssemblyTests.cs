namespace NodeAgent.Api.Tests;

public sealed class ApiAssemblyTests
{
    [Fact]
    public void The_api_assembly_is_the_one_under_test() => Assert.Equal(ApiAssembly.Name, typeof(ApiAssembly).Assembly.GetName().Name);
}
