namespace NodeAgent.Testing.Registry;

/// <summary>A registry that requires basic auth with fresh random credentials (see <see cref="RegistryFixture.Credentials"/>).</summary>
public sealed class BasicAuthRegistryFixture : RegistryFixture
{
    public BasicAuthRegistryFixture()
        : base(RegistryOptions.WithBasicAuth())
    {
    }
}
