using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using NodeAgent.Cri.Diagnostics;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Oci;
using NodeAgent.Runtime.Oci.Spec;
using NodeAgent.Runtime.Sandboxes;
using NodeAgent.Runtime.Snapshots;
using NodeAgent.Runtime.State;

namespace NodeAgent.Runtime.Containers;

/// <summary>
/// Containers of a sandbox: an overlay rootfs over the image's layers, an OCI spec from the CRI
/// config, conmon + runc for the process, state on disk. A keyed lock per container id
/// serialises calls for one container; exits are read from conmon's exit files.
/// </summary>
public sealed partial class ContainerManager
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(30);

    private readonly ObjectIndex<ContainerRecord> _index;
    private readonly SandboxManager _sandboxes;
    private readonly ImageManager _images;
    private readonly ISnapshotter _snapshots;
    private readonly IMounter _mounter;
    private readonly IOciRuntime _oci;
    private readonly TimeProvider _time;
    private readonly ILogger<ContainerManager> _logger;

    // Image configs are content-addressed (the id is their digest), so a parsed one never goes stale.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, OciImageConfig?> _imageConfigs = new(StringComparer.Ordinal);

    internal ContainerManager(
        ObjectIndex<ContainerRecord> index,
        SandboxManager sandboxes,
        ImageManager images,
        ISnapshotter snapshots,
        IMounter mounter,
        IOciRuntime oci,
        TimeProvider time,
        ILogger<ContainerManager> logger)
    {
        _index = index;
        _sandboxes = sandboxes;
        _images = images;
        _snapshots = snapshots;
        _mounter = mounter;
        _oci = oci;
        _time = time;
        _logger = logger;
    }

    /// <summary>Every container, with exits that happened since the last look folded in.</summary>
    public async Task<IReadOnlyList<ContainerRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var records = new List<ContainerRecord>();
        foreach (var record in _index.All.ToList())
        {
            records.Add(await RefreshAsync(record, cancellationToken));
        }

        return records;
    }

    public async Task<ContainerRecord> GetAsync(string id, CancellationToken cancellationToken)
        => await RefreshAsync(_index.Get(id), cancellationToken);

    public string BundleOf(string id) => Path.Combine(_index.Disk.DirectoryOf(id), "bundle");

    public async Task<ContainerRecord> CreateAsync(string sandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var sandbox = _sandboxes.Get(sandboxId);
        if (sandbox.State != SandboxState.Ready)
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"create container in sandbox {sandbox.Id}: the sandbox is not ready");
        }

        if (config.Metadata is null || string.IsNullOrEmpty(config.Metadata.Name))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, "container config: metadata.name is required");
        }

        var storedSandboxConfig = sandbox.ParseConfig();
        var name = $"{config.Metadata.Name}_{SandboxManager.NameOf(storedSandboxConfig.Metadata)}_{config.Metadata.Attempt}";
        var id = RuntimeIds.New();
        if (!_index.TryReserve(name, id, out var holder))
        {
            // A retried CreateContainer (the caller timed out) gets the container the first call made, as CRI-O does.
            return _index.Find(holder) is { State: ContainerPhase.Created } created && created.SandboxId == sandbox.Id
                ? created
                : throw new RuntimeException(RuntimeErrorKind.AlreadyExists, $"container name {name} is reserved by {holder}");
        }

        using var held = await _index.LockAsync(id, cancellationToken);
        var bundle = BundleOf(id);
        var rootfs = Path.Combine(bundle, "rootfs");
        var mounted = false;
        var timer = new StepTimer();
        try
        {
            var imageName = config.Image?.Image ?? string.Empty;
            var image = _images.Find(imageName)
                ?? throw new RuntimeException(RuntimeErrorKind.NotFound, $"create container {config.Metadata.Name}: image {imageName} not found (pull it first)");
            var imageConfig = await ImageConfigOfAsync(image, cancellationToken);
            timer.Mark("image-config");
            Directory.CreateDirectory(rootfs);
            var mounts = await _snapshots.PrepareAsync(id, image.TopChainId, cancellationToken);
            timer.Mark("snapshot-prepare");
            foreach (var mount in mounts)
            {
                await _mounter.MountAsync(mount, rootfs, cancellationToken);
            }

            mounted = true;
            timer.Mark("overlay-mount");
            var logPath = LogPathOf(storedSandboxConfig, config, bundle);
            Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
            var sandboxDirectory = _sandboxes.DirectoryOf(sandbox.Id);
            var sharePid = storedSandboxConfig.Linux?.SecurityContext?.NamespaceOptions?.Pid == NamespaceMode.Pod;
            var spec = await ContainerSpecBuilder.BuildAsync(
                new ContainerSpecInput(
                    id,
                    config,
                    storedSandboxConfig,
                    imageConfig,
                    rootfs,
                    new SandboxNamespaces(sandbox.NetnsPath, sandbox.InfraPid, sharePid, sandbox.IpcNamespacePath, sandbox.UtsNamespacePath),
                    new SandboxFiles(
                        SandboxFilesWriter.HostsPath(sandboxDirectory),
                        SandboxFilesWriter.ResolvConfPath(sandboxDirectory),
                        SandboxFilesWriter.HostnamePath(sandboxDirectory),
                        sandbox.ShmPath ?? "/dev/shm"),
                    CgroupPaths.ForContainer(sandbox.CgroupParent, id))
                {
                    SandboxId = sandbox.Id,
                    ResolveTargetPid = ResolveTargetPidAsync,
                },
                cancellationToken);
            timer.Mark("spec-build");
            await RuntimeSpecFile.WriteAsync(Path.Combine(bundle, "config.json"), spec, cancellationToken);
            timer.Mark("spec-write");

            var pid = await _oci.CreateAsync(
                new ContainerLaunch(id, name, bundle, logPath) { Stdin = config.Stdin, StdinOnce = config.StdinOnce, Terminal = config.Tty },
                cancellationToken);
            timer.Mark("conmon-runc-create");
            var record = new ContainerRecord
            {
                Id = id,
                SandboxId = sandbox.Id,
                Config = config.ToByteArray(),
                CreatedAt = _time.GetUtcNow(),
                Image = imageName,
                ImageId = image.Id,
                ImageRef = image.RepoDigests.Count > 0 ? image.RepoDigests[0] : image.Id,
                LogPath = logPath,
                State = ContainerPhase.Created,
                Pid = pid,
                MonitorPid = ReadPidFile(Path.Combine(bundle, "conmon.pid")),
                CgroupsPath = spec.Linux?.CgroupsPath ?? string.Empty,
                StopSignal = imageConfig?.Config?.StopSignal ?? string.Empty,
            };
            // Not fsynced: lost in a power cut, the directory is an orphan and recovery destroys it.
            await _index.SaveAsync(record, durable: false, cancellationToken);
            timer.Mark("save");
            LogCreated(_logger, id, name);
            SandboxManager.LogSteps(_logger, "container-create", id, timer);
            return record;
        }
        catch
        {
            await DestroyAsync(id, bundle, mounted, CancellationToken.None);
            _index.Delete(id);
            _index.Release(name, id);
            throw;
        }
    }

    public async Task StartAsync(string id, CancellationToken cancellationToken)
    {
        var record = _index.Get(id);
        using var held = await _index.LockAsync(record.Id, cancellationToken);
        record = _index.Get(id);
        if (record.State != ContainerPhase.Created)
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"start container {record.Id}: it is {record.State.ToString().ToLowerInvariant()}, not created");
        }

        // Taken before runc start: a quick container can exit (and conmon stamp its exit) before runc returns.
        var startedAt = _time.GetUtcNow();
        var timer = new StepTimer();
        try
        {
            await _oci.StartAsync(record.Id, cancellationToken);
            timer.Mark("runc-start");
        }
        catch (RuntimeException e)
        {
            await _index.SaveAsync(record with { State = ContainerPhase.Exited, ExitCode = 128, Reason = "StartError", Message = e.Message, FinishedAt = _time.GetUtcNow() }, CancellationToken.None);
            throw;
        }

        // Not fsynced: a power cut kills the process anyway; the Created record left then fails a start cleanly.
        await _index.SaveAsync(record with { State = ContainerPhase.Running, StartedAt = startedAt }, durable: false, CancellationToken.None);
        timer.Mark("save");
        SandboxManager.LogSteps(_logger, "container-start", record.Id, timer);
    }

    /// <summary>
    /// The image's stop signal (or SIGTERM), then SIGKILL to every process once <paramref name="timeout"/>
    /// passes. Stopping a stopped container is not an error.
    /// </summary>
    public async Task StopAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var record = _index.Get(id);
        using var held = await _index.LockAsync(record.Id, cancellationToken);
        record = await RefreshAsync(_index.Get(id), cancellationToken);
        if (record.State is ContainerPhase.Exited)
        {
            return;
        }

        if (record.State is ContainerPhase.Running && timeout > TimeSpan.Zero)
        {
            await _oci.KillAsync(record.Id, StopSignals.Parse(record.StopSignal), all: false, cancellationToken);
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            grace.CancelAfter(timeout);
            try
            {
                await _oci.WaitForExitAsync(record.Id, grace.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                LogEscalated(_logger, record.Id, timeout.TotalSeconds);
            }
        }

        await KillAndWaitAsync(record.Id, cancellationToken);
        await RefreshAsync(_index.Get(id), cancellationToken);
    }

    /// <summary>Removes a container (killing it first when it runs). A missing container is not an error.</summary>
    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        if (_index.Find(id) is not { } record)
        {
            return;
        }

        using var held = await _index.LockAsync(record.Id, cancellationToken);
        await DestroyAsync(record.Id, BundleOf(record.Id), mounted: true, CancellationToken.None);
        _index.Delete(record.Id);
        var config = record.ParseConfig();
        var sandbox = _sandboxes.Find(record.SandboxId);
        if (sandbox is not null)
        {
            _index.Release($"{config.Metadata.Name}_{SandboxManager.NameOf(sandbox.ParseConfig().Metadata)}_{config.Metadata.Attempt}", record.Id);
        }

        LogRemoved(_logger, record.Id);
    }

    public IEnumerable<ContainerRecord> InSandbox(string sandboxId) => _index.All.Where(c => c.SandboxId == sandboxId).ToList();

    public async Task<ExecResult> ExecSyncAsync(string id, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var record = await GetAsync(id, cancellationToken);
        if (record.State != ContainerPhase.Running)
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"exec in container {record.Id}: it is not running");
        }

        if (command.Count == 0)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"exec in container {record.Id}: the command is empty");
        }

        var bundle = BundleOf(record.Id);
        var processPath = Path.Combine(bundle, $"exec-{RuntimeIds.New()[..12]}.json");
        var spec = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(bundle, "config.json"), cancellationToken))!.AsObject();
        var process = spec["process"]!.AsObject();
        process["args"] = new JsonArray(command.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray());
        process["terminal"] = false;
        process.Remove("consoleSize");
        await File.WriteAllTextAsync(processPath, process.ToJsonString(), cancellationToken);
        try
        {
            return await _oci.ExecAsync(record.Id, processPath, timeout, cancellationToken);
        }
        finally
        {
            File.Delete(processPath);
        }
    }

    public async Task UpdateResourcesAsync(string id, LinuxContainerResources resources, CancellationToken cancellationToken)
    {
        var record = await GetAsync(id, cancellationToken);
        var path = Path.Combine(BundleOf(record.Id), "resources.json");
        var oci = ResourcesBuilder.Build(resources, SpecHost.Instance);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(oci, typeof(OciResources), RuntimeSpecJsonContext.Default), cancellationToken);
        await _oci.UpdateAsync(record.Id, path, cancellationToken);
    }

    /// <summary>At start: loads records and folds in exits that happened while the runtime was down.</summary>
    internal async Task RecoverAsync(CancellationToken cancellationToken)
    {
        foreach (var orphan in _index.Load(r => NameOfRecord(r)))
        {
            await DestroyAsync(orphan, BundleOf(orphan), mounted: true, cancellationToken);
            _index.Delete(orphan);
        }

        foreach (var record in _index.All.ToList())
        {
            await RefreshAsync(record, cancellationToken);
        }
    }

    private string NameOfRecord(ContainerRecord record)
    {
        var config = record.ParseConfig();
        var sandbox = _sandboxes.Find(record.SandboxId);
        return sandbox is null ? record.Id : $"{config.Metadata.Name}_{SandboxManager.NameOf(sandbox.ParseConfig().Metadata)}_{config.Metadata.Attempt}";
    }

    /// <summary>Folds a recorded exit (conmon's exit file) into the record.</summary>
    private async Task<ContainerRecord> RefreshAsync(ContainerRecord record, CancellationToken cancellationToken)
    {
        if (record.State is ContainerPhase.Exited)
        {
            return record;
        }

        ContainerRecord? updated = null;
        if (_oci.ReadExit(record.Id) is { } exit)
        {
            var oom = CgroupOom.WasKilled(record.CgroupsPath);
            updated = record with
            {
                State = ContainerPhase.Exited,
                ExitCode = exit.ExitCode,
                // The exit file's mtime comes from the kernel's coarse clock and can read a tick before our start stamp.
                FinishedAt = record.StartedAt is { } started && started > exit.FinishedAt ? started : exit.FinishedAt,
                Reason = oom ? "OOMKilled" : exit.ExitCode == 0 ? "Completed" : "Error",
            };
        }
        else if (record.State == ContainerPhase.Running
            && !ProcessSignals.IsAlive(record.MonitorPid)
            && _oci.ReadExit(record.Id) is null
            && await _oci.StateAsync(record.Id, cancellationToken) is null or { IsRunning: false })
        {
            // Only once conmon itself is gone: while it lives, a missing exit file means "not written yet".
            // Gone without an exit record (its monitor was killed too): report it, as containerd does, as Unknown 255.
            updated = record with { State = ContainerPhase.Exited, ExitCode = 255, FinishedAt = _time.GetUtcNow(), Reason = "Unknown", Message = "the container's monitor exited without recording an exit code" };
        }

        if (updated is null)
        {
            return record;
        }

        await _index.SaveAsync(updated, cancellationToken);
        return updated;
    }

    private async Task KillAndWaitAsync(string id, CancellationToken cancellationToken)
    {
        // An exit already recorded, or no monitor left to record one: nothing to kill or wait for.
        // (Stands for `runc state`: one runc call fewer per stop.)
        if (_oci.ReadExit(id) is not null || !IsConmonAlive(BundleOf(id)))
        {
            return;
        }

        await _oci.KillAsync(id, ProcessSignals.SigKill, all: true, cancellationToken);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(KillWait);
        await _oci.WaitForExitAsync(id, bound.Token);
    }

    private async Task DestroyAsync(string id, string bundle, bool mounted, CancellationToken cancellationToken)
    {
        // A live conmon stands for `runc state` (one runc call fewer per removal): only a live monitor writes an exit.
        var monitored = IsConmonAlive(bundle);
        await _oci.DeleteAsync(id, cancellationToken);
        if (monitored)
        {
            // conmon notices the deleted container and records its exit; wait so the record can go with the rest.
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await _oci.WaitForExitAsync(id, bound.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                LogNoExitRecord(_logger, id);
            }
        }

        _oci.RemoveExit(id);
        if (mounted)
        {
            await _mounter.UnmountAsync(Path.Combine(bundle, "rootfs"), cancellationToken);
        }

        await _snapshots.RemoveAsync(id, cancellationToken);
    }

    private static bool IsConmonAlive(string bundle) => ProcessSignals.IsAlive(ReadPidFile(Path.Combine(bundle, "conmon.pid")));

    private async Task<OciImageConfig?> ImageConfigOfAsync(Images.Store.ImageRecord image, CancellationToken cancellationToken)
    {
        if (_imageConfigs.TryGetValue(image.Id, out var cached))
        {
            return cached;
        }

        var config = await _images.ReadConfigAsync(image, cancellationToken);
        if (config is not null)
        {
            // Bounded by the images a node runs; a crude reset keeps removed ones from piling up.
            if (_imageConfigs.Count >= 256)
            {
                _imageConfigs.Clear();
            }

            _imageConfigs[image.Id] = config;
        }

        return config;
    }

    private async Task<int?> ResolveTargetPidAsync(string containerId, CancellationToken cancellationToken)
    {
        var target = await GetAsync(containerId, cancellationToken);
        return target.State == ContainerPhase.Running ? target.Pid : null;
    }

    private static int ReadPidFile(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : 0;
        }
        catch (IOException)
        {
            // Missing (never started under conmon, or already cleaned up).
            return 0;
        }
    }

    private static string LogPathOf(PodSandboxConfig sandbox, ContainerConfig config, string bundle)
    {
        if (string.IsNullOrEmpty(sandbox.LogDirectory) || string.IsNullOrEmpty(config.LogPath))
        {
            return Path.Combine(bundle, "container.log");
        }

        var path = Path.GetFullPath(Path.Combine(sandbox.LogDirectory, config.LogPath));
        return path.StartsWith(Path.GetFullPath(sandbox.LogDirectory) + "/", StringComparison.Ordinal)
            ? path
            : throw new RuntimeException(RuntimeErrorKind.Invalid, $"container config: log_path {config.LogPath} escapes the sandbox log directory");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "container {Id} ({Name}) created")]
    private static partial void LogCreated(ILogger logger, string id, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "container {Id} removed")]
    private static partial void LogRemoved(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "container {Id} ignored its stop signal for {Seconds} s; killing it")]
    private static partial void LogEscalated(ILogger logger, string id, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "container {Id}: conmon recorded no exit after delete")]
    private static partial void LogNoExitRecord(ILogger logger, string id);
}
