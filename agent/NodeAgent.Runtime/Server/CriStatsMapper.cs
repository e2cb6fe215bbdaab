using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers.Stats;

namespace NodeAgent.Runtime.Server;

/// <summary>Usage records → CRI stats messages; a part the runtime could not read stays unset, never zero.</summary>
internal static class CriStatsMapper
{
    /// <summary>The pod interface CNI creates; kubelet reports it as the pod's network.</summary>
    private const string DefaultInterface = "eth0";

    public static ContainerStats ToContainerStats(ContainerUsage usage)
    {
        var config = usage.Container.ParseConfig();
        var timestamp = CriRuntimeMapper.Nanos(usage.Timestamp);
        var attributes = new ContainerAttributes { Id = usage.Container.Id, Metadata = config.Metadata };
        attributes.Labels.Add(config.Labels);
        attributes.Annotations.Add(config.Annotations);
        return new ContainerStats
        {
            Attributes = attributes,
            Cpu = ToCpu(usage.Cpu, timestamp),
            Memory = ToMemory(usage.Memory, timestamp),
            WritableLayer = new FilesystemUsage
            {
                Timestamp = timestamp,
                FsId = new FilesystemIdentifier { Mountpoint = usage.WritableLayer.Mountpoint },
                UsedBytes = new UInt64Value { Value = usage.WritableLayer.UsedBytes },
                InodesUsed = new UInt64Value { Value = usage.WritableLayer.InodesUsed },
            },
        };
    }

    public static PodSandboxStats ToPodSandboxStats(PodUsage usage)
    {
        var config = usage.Sandbox.ParseConfig();
        var timestamp = CriRuntimeMapper.Nanos(usage.Timestamp);
        var attributes = new PodSandboxAttributes { Id = usage.Sandbox.Id, Metadata = config.Metadata };
        attributes.Labels.Add(config.Labels);
        attributes.Annotations.Add(config.Annotations);
        var linux = new LinuxPodSandboxStats
        {
            Cpu = ToCpu(usage.Cpu, timestamp),
            Memory = ToMemory(usage.Memory, timestamp),
            Network = ToNetwork(usage.Interfaces, timestamp),
            Process = usage.ProcessCount is { } count ? new ProcessUsage { Timestamp = timestamp, ProcessCount = new UInt64Value { Value = count } } : null,
        };
        linux.Containers.AddRange(usage.Containers.Select(ToContainerStats));
        return new PodSandboxStats { Attributes = attributes, Linux = linux };
    }

    private static CpuUsage? ToCpu(CpuStats? cpu, long timestamp) => cpu is null ? null : new CpuUsage
    {
        Timestamp = timestamp,
        UsageCoreNanoSeconds = new UInt64Value { Value = cpu.UsageCoreNanoSeconds },
        UsageNanoCores = new UInt64Value { Value = cpu.UsageNanoCores },
    };

    private static MemoryUsage? ToMemory(MemorySample? memory, long timestamp)
    {
        if (memory is null)
        {
            return null;
        }

        var usage = new MemoryUsage
        {
            Timestamp = timestamp,
            WorkingSetBytes = new UInt64Value { Value = memory.WorkingSetBytes },
            UsageBytes = new UInt64Value { Value = memory.UsageBytes },
            RssBytes = new UInt64Value { Value = memory.RssBytes },
            PageFaults = new UInt64Value { Value = memory.PageFaults },
            MajorPageFaults = new UInt64Value { Value = memory.MajorPageFaults },
        };
        if (memory.AvailableBytes is { } available)
        {
            usage.AvailableBytes = new UInt64Value { Value = available };
        }

        return usage;
    }

    private static NetworkUsage? ToNetwork(IReadOnlyList<InterfaceCounters>? interfaces, long timestamp)
    {
        if (interfaces is null)
        {
            return null;
        }

        var network = new NetworkUsage { Timestamp = timestamp };
        foreach (var counters in interfaces.Where(i => i.Name != "lo"))
        {
            var message = new NetworkInterfaceUsage
            {
                Name = counters.Name,
                RxBytes = new UInt64Value { Value = counters.RxBytes },
                RxErrors = new UInt64Value { Value = counters.RxErrors },
                TxBytes = new UInt64Value { Value = counters.TxBytes },
                TxErrors = new UInt64Value { Value = counters.TxErrors },
            };
            if (counters.Name == DefaultInterface)
            {
                network.DefaultInterface = message;
            }
            else
            {
                network.Interfaces.Add(message);
            }
        }

        return network;
    }
}
