using System.Globalization;
using Google.Protobuf;
using NodeAgent.Cri.V1;

namespace NodeAgent.Cri.Tests.Contract;

/// <summary>
/// Exact bytes for a few messages, worked out by hand from the protobuf encoding rules
/// (tag = field number &lt;&lt; 3 | wire type). They prove the numbering reaches the wire.
/// </summary>
public sealed class WireFormatTests
{
    [Fact]
    public void VersionRequest_encodes_version_as_field_1()
    {
        AssertBytes("0A 02 76 31", new VersionRequest { Version = "v1" });
    }

    [Fact]
    public void VersionResponse_encodes_fields_1_to_4()
    {
        var message = new VersionResponse { Version = "a", RuntimeName = "b", RuntimeVersion = "c", RuntimeApiVersion = "d" };

        AssertBytes("0A 01 61 12 01 62 1A 01 63 22 01 64", message);
    }

    [Fact]
    public void ImageSpec_user_specified_image_is_field_18_with_a_two_byte_tag()
    {
        // (18 << 3) | 2 = 146 = varint 92 01.
        AssertBytes("92 01 01 61", new ImageSpec { UserSpecifiedImage = "a" });
        // (20 << 3) | 2 = 162 = varint A2 01.
        AssertBytes("A2 01 01 62", new ImageSpec { ImageRef = "b" });
    }

    [Fact]
    public void ContainerStatus_stop_signal_is_field_19_and_sigkill_is_13()
    {
        // (19 << 3) | 0 = 152 = varint 98 01.
        AssertBytes("98 01 0D", new ContainerStatus { StopSignal = Signal.Sigkill });
    }

    [Fact]
    public void Wrapped_zero_run_as_group_is_still_sent_as_an_empty_field_12()
    {
        // Root (uid/gid 0) must survive the trip: the wrapper message carries presence.
        AssertBytes("62 00", new LinuxContainerSecurityContext { RunAsGroup = new Int64Value { Value = 0 } });
    }

    [Fact]
    public void Mount_uid_mappings_is_repeated_field_6()
    {
        var mount = new Mount { UidMappings = { new IDMapping { HostId = 1000, ContainerId = 0, Length = 1 } } };

        AssertBytes("32 05 08 E8 07 18 01", mount);
    }

    [Fact]
    public void Unified_cgroup_map_is_field_9_of_key_value_entries()
    {
        var resources = new LinuxContainerResources { Unified = { ["a"] = "b" }, MemorySwapLimitInBytes = 1 };

        AssertBytes("4A 06 0A 01 61 12 01 62 50 01", resources);
    }

    [Fact]
    public void Message_built_from_bytes_written_by_hand_parses_into_the_right_fields()
    {
        // ContainerConfig: metadata{name="c", attempt=2}, cdi_devices[{name="g"}] (17), stop_signal=SIGTERM (18).
        var bytes = Convert.FromHexString("0A050A016310028A0103 0A0167 900117".Replace(" ", "", StringComparison.Ordinal));

        var config = ContainerConfig.Parser.ParseFrom(bytes);

        Assert.Equal("c", config.Metadata.Name);
        Assert.Equal(2u, config.Metadata.Attempt);
        Assert.Equal("g", Assert.Single(config.CDIDevices).Name);
        Assert.Equal(Signal.Sigterm, config.StopSignal);
    }

    [Fact]
    public void Full_container_status_round_trips()
    {
        var status = new ContainerStatus
        {
            Id = "abc",
            Metadata = new ContainerMetadata { Name = "app", Attempt = 3 },
            State = ContainerState.ContainerExited,
            CreatedAt = 1_700_000_000_000_000_000,
            FinishedAt = 1_700_000_001_000_000_000,
            ExitCode = 137,
            Image = new ImageSpec { Image = "sha256:1", UserSpecifiedImage = "busybox" },
            Reason = "OOMKilled",
            Labels = { ["io.kubernetes.pod.name"] = "p" },
            Mounts = { new Mount { ContainerPath = "/data", HostPath = "/srv", Readonly = true, Propagation = MountPropagation.PropagationHostToContainer } },
            Resources = new ContainerResources { Linux = new LinuxContainerResources { MemoryLimitInBytes = 64 << 20 } },
            User = new ContainerUser { Linux = new LinuxContainerUser { Uid = 0, Gid = 0, SupplementalGroups = { 10 } } },
            StopSignal = Signal.Sigquit,
        };

        var parsed = ContainerStatus.Parser.ParseFrom(status.ToByteArray());

        Assert.Equal(status, parsed);
    }

    private static void AssertBytes(string expectedHex, IMessage message)
    {
        var actual = string.Join(' ', message.ToByteArray().Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));

        Assert.Equal(expectedHex, actual);
    }
}
