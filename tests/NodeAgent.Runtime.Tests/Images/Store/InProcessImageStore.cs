using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Runtime.Images.Pull;
using NodeAgent.Runtime.Images.Store;
using NodeAgent.Testing.Common;

namespace NodeAgent.Runtime.Tests.Images.Store;

/// <summary>Our image services in-process on a private data dir, for checks the CRI surface cannot make (mounts, disk state).</summary>
public sealed class InProcessImageStore : IDisposable
{
    private InProcessImageStore(TempDirectory directory, ImageServices services, RuntimeOptions options)
    {
        Directory = directory;
        Services = services;
        Options = options;
    }

    public TempDirectory Directory { get; }

    public ImageServices Services { get; }

    public RuntimeOptions Options { get; }

    public static async Task<InProcessImageStore> OpenAsync(string prefix, IReadOnlyList<string> insecureRegistries, CancellationToken ct, string? registriesYaml = null)
    {
        var directory = new TempDirectory(prefix);
        string? yamlPath = null;
        if (registriesYaml is not null)
        {
            yamlPath = directory.Combine("registries.yaml");
            await File.WriteAllTextAsync(yamlPath, registriesYaml, ct);
        }

        var options = new RuntimeOptions { DataDir = directory.Combine("data"), RunDir = directory.Combine("run"), InsecureRegistries = insecureRegistries, RegistryConfig = yamlPath };
        var services = await RuntimeComposition.CreateImageServicesAsync(options, NullLoggerFactory.Instance, ct);
        return new InProcessImageStore(directory, services, options);
    }

    public Task<ImageRecord> PullAsync(string reference, CancellationToken ct) => Services.Manager.PullAsync(reference, new PullOptions(), ct);

    /// <summary>Re-opens the store from disk, as a restarted runtime would.</summary>
    public async Task<ImageServices> ReopenAsync(CancellationToken ct)
        => await RuntimeComposition.CreateImageServicesAsync(Options, NullLoggerFactory.Instance, ct);

    public void Dispose()
    {
        Services.Dispose();
        Directory.Dispose();
    }
}
