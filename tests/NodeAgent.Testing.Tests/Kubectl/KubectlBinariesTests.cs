using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Testing.Tests.Kubectl;

public class KubectlBinariesTests
{
    [Fact]
    public void Normalizes_versions_and_refuses_anything_but_major_minor()
    {
        Assert.Equal("1.27", KubectlBinaries.Normalize("1.27"));
        Assert.Equal("1.27", KubectlBinaries.Normalize("v1.27"));
        Assert.Throws<ArgumentException>(() => KubectlBinaries.Normalize("1.27.3"));
        Assert.Throws<ArgumentException>(() => KubectlBinaries.Normalize("latest"));
    }

    [Fact]
    public void A_missing_version_is_null_or_a_descriptive_error()
    {
        Assert.Null(KubectlBinaries.Find("1.9"));
        var error = Assert.Throws<FileNotFoundException>(() => KubectlBinaries.Require("1.9"));
        Assert.Contains("kubectl.1.9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_versioned_binary_reports_its_own_version()
    {
        using var cts = TestDeadline.Seconds(30);
        using var config = new TempDirectory(TestIds.NewPrefix());
        var kubeconfig = config.Combine("kubeconfig");
        KubeconfigFile.Write(kubeconfig, new Uri($"http://127.0.0.1:{FreePort.Next()}"));

        var binaries = KubectlBinaries.FindAll();
        // DESIGN.md §7: 1.27–1.33 are installed next to the default kubectl on this machine.
        Assert.Equal(KubectlBinaries.Find("1.27"), binaries["1.27"]);
        Assert.Contains("1.33", binaries.Keys);

        var versions = await Task.WhenAll(binaries.Select(async pair =>
        {
            using var kubectl = new KubectlRunner(kubeconfig, pair.Value);
            return (pair.Key, Version: await kubectl.ClientVersionAsync(cts.Token));
        }));

        Assert.All(versions, v => Assert.StartsWith($"v{v.Key}.", v.Version, StringComparison.Ordinal));
    }
}
