using System.Text;
using Actors.Entities;
using Actors.Handlers;
using Actors.Protocol;
using Actors.Serialization;
using Actors.Tests.Support;
using Akka.Serialization;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Serialization;

/// <summary>
/// Pins the journal format: the bytes in golden/ were written by this version and must stay
/// readable by every later one. Change a golden file only with a new manifest version.
/// </summary>
public sealed class JournalSerializerSpecs(ITestOutputHelper output) : NodeSpec(output)
{
    public static TheoryData<string, object> Golden => new()
    {
        { "counter.added.v1", new CounterAdded("req-1", 42) },
        { "counter.state.v1", new CounterState(-7) },
    };

    [Fact]
    public void An_entity_snapshot_nests_the_state_under_its_own_manifest_and_keeps_the_writes_it_remembers()
    {
        var golden = GoldenText("entity.snapshot.v2");
        var window = new RequestWindow(TimeSpan.FromDays(3650), 10);
        window.Add(new AppliedRequest("r1", -4620693217682128896, 1764547200000));
        window.Add(new AppliedRequest("r2", 42, 1764547201000));
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new EntitySnapshot("x", default, ""));

        var snapshot = (EntitySnapshot)serializer.FromBinary(Encoding.UTF8.GetBytes(golden), "entity.snapshot.v2");

        RequestWindow.Unpack(snapshot.Requests).Should().Equal(
            new RememberedWrite(Hashes.OfId("r1"), -4620693217682128896, 1764547200000), new RememberedWrite(Hashes.OfId("r2"), 42, 1764547201000));
        JournalSerializer.FromElement(snapshot.State, snapshot.StateManifest).Should().Be(new CounterState(-7));
        Encoding.UTF8.GetString(serializer.ToBinary(new EntitySnapshot("counter.state.v1",
            JournalSerializer.ToElement(new CounterState(-7)), window.Packed(1764547202000)))).Should().Be(golden);
    }

    [Fact]
    public void A_write_is_one_row_holding_its_request_and_its_events_under_their_own_manifests()
    {
        var golden = GoldenText("entity.write.v1");
        var request = new AppliedRequest("req-1", -4620693217682128896, 1764547200000);
        var write = JournaledWrite.Of(request, new ICounterEvent[] { new CounterAdded("req-1", 42) });
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(write);

        serializer.Manifest(write).Should().Be("entity.write.v1");
        Encoding.UTF8.GetString(serializer.ToBinary(write)).Should().Be(golden);
        var read = (JournaledWrite)serializer.FromBinary(Encoding.UTF8.GetBytes(golden), "entity.write.v1");
        read.Request.Should().Be(request);
        read.Events.Should().ContainSingle().Which.Manifest.Should().Be("counter.added.v1");
        read.Events[0].Value().Should().Be(new CounterAdded("req-1", 42));
    }

    [Fact]
    public void A_version_1_snapshot_with_request_ids_only_still_reads()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new EntitySnapshot("x", default, ""));

        var snapshot = (EntitySnapshotV1)serializer.FromBinary(Encoding.UTF8.GetBytes(GoldenText("entity.snapshot.v1")), "entity.snapshot.v1");

        snapshot.RecentRequestIds.Should().Equal("r1", "r2");
        JournalSerializer.FromElement(snapshot.State, snapshot.StateManifest).Should().Be(new CounterState(-7));
    }

    [Fact]
    public void A_command_hash_is_the_same_in_every_process_and_version()
    {
        // Journaled with every write: a changed hash would refuse retries made across an upgrade.
        Hashes.OfCommand(new AddToCounter("r1", "k", 5)).Should().Be(Hashes.OfCommand(new AddToCounter("r1", "k", 5)));
        Hashes.OfCommand(new AddToCounter("r1", "k", 5)).Should().Be(PinnedAddHash);
        Hashes.OfCommand(new AddToCounter("r1", "k", 6)).Should().NotBe(PinnedAddHash);
        Hashes.OfId("r1").Should().Be(9070525588069276017, "snapshots keep request ids by this hash");
    }

    private const long PinnedAddHash = 2611660010289124206;

    [Theory]
    [MemberData(nameof(Golden))]
    public void Journaled_types_are_written_as_their_golden_bytes(string manifest, object value)
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(value);

        serializer.Should().BeOfType<JournalSerializer>();
        serializer.Manifest(value).Should().Be(manifest);
        Encoding.UTF8.GetString(serializer.ToBinary(value)).Should().Be(GoldenText(manifest));
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Golden_bytes_read_back_as_the_same_value(string manifest, object value)
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(value);

        serializer.FromBinary(Encoding.UTF8.GetBytes(GoldenText(manifest)), manifest).Should().Be(value);
    }

    [Fact]
    public void An_event_written_with_a_field_this_version_does_not_know_still_reads()
    {
        var bytes = """{"requestId":"r","amount":1,"addedLater":true}"""u8.ToArray();

        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new CounterAdded("x", 0));

        serializer.FromBinary(bytes, "counter.added.v1").Should().Be(new CounterAdded("r", 1));
    }

    [Fact]
    public void An_unknown_manifest_is_a_clear_error()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new CounterAdded("x", 0));

        var act = () => serializer.FromBinary("{}"u8.ToArray(), "nobody.v9");

        act.Should().Throw<System.Runtime.Serialization.SerializationException>().WithMessage("*nobody.v9*");
    }

    [Fact]
    public void An_event_json_cannot_express_fails_when_its_write_is_made_not_in_the_journal()
    {
        // The row is made before the entity's state moves: only this command fails, no batch does.
        var act = () => JournaledWrite.Of(new AppliedRequest("r", 1, 0), new[] { new UnwritableEvent() });

        act.Should().Throw<InvalidOperationException>().WithMessage("no JSON for this");
    }

    private static string GoldenText(string manifest) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Serialization", "golden", manifest + ".json")).TrimEnd('\n');

    [JournalManifest("test.unwritable.v1")]
    private sealed record UnwritableEvent : IJournaled
    {
        public int Value => throw new InvalidOperationException("no JSON for this");
    }
}
