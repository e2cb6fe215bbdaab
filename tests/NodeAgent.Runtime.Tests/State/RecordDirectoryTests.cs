using System.Text.Json.Serialization;
using NodeAgent.Runtime.State;
using NodeAgent.Testing.Common;

namespace NodeAgent.Runtime.Tests.State;

public sealed class RecordDirectoryTests
{
    [Fact]
    public async Task Two_saves_of_one_record_in_flight_at_once_both_succeed_and_leave_one_whole_record()
    {
        using var temp = new TempDirectory(TestIds.NewPrefix() + "-records");
        var records = new RecordDirectory<RendezvousRecord>(temp.Path, "record.json", RecordDirectoryTestsJsonContext.Default.RendezvousRecord);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Each save blocks mid-serialisation until the other is there too, so both hold their temp file at once.
        using var bothWriting = new Barrier(2);
        var saves = Enumerable.Range(1, 2)
            .Select(n => Task.Run(() => records.SaveAsync("one", new RendezvousRecord(bothWriting) { Value = n }, durable: true, cts.Token), cts.Token))
            .ToArray();
        await Task.WhenAll(saves);

        var orphans = new List<string>();
        var loaded = Assert.Single(records.LoadAll(orphans));
        Assert.Empty(orphans);
        Assert.InRange(loaded.Value, 1, 2);
        Assert.Equal(["record.json"], Directory.GetFiles(records.DirectoryOf("one")).Select(Path.GetFileName));
    }
}

public sealed class RendezvousRecord(Barrier? rendezvous)
{
    private readonly int value;

    public RendezvousRecord()
        : this(null)
    {
    }

    public int Value
    {
        get
        {
            if (rendezvous is not null && !rendezvous.SignalAndWait(TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException("the other save never reached serialisation");
            }

            return value;
        }

        init => this.value = value;
    }
}

[JsonSerializable(typeof(RendezvousRecord))]
internal sealed partial class RecordDirectoryTestsJsonContext : JsonSerializerContext;
