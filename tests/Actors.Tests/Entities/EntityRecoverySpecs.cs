using Actors.Entities;
using Actors.Handlers;
using Actors.Serialization;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Entities;

/// <summary>Recovery from every journal format, as plain logic: the state back, and the request ids a retry needs.</summary>
public sealed class EntityRecoverySpecs
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(35);
    private readonly RequestWindow _requests = new(Window, 100);
    private readonly EntityRecovery<CounterState, ICounterEvent> _recovery;

    public EntityRecoverySpecs() => _recovery = new EntityRecovery<CounterState, ICounterEvent>(new CounterHandler().Apply, _requests);

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public void A_snapshot_brings_back_the_state_and_the_ids_it_remembered()
    {
        var remembered = new RequestWindow(Window, 100);
        remembered.Add(new AppliedRequest("w1", 42, Now));
        var snapshot = new EntitySnapshot(JournalSerializer.ManifestOf(typeof(CounterState)), JournalSerializer.ToElement(new CounterState(7)),
            remembered.Packed(Now));

        _recovery.FromSnapshot(snapshot).Should().Be(new CounterState(7));
        _requests.Check("w1", () => 42).Should().Be(RequestSeen.Applied);
        _requests.Check("w1", () => 43).Should().Be(RequestSeen.Reused);
    }

    [Fact]
    public void Replay_must_continue_the_snapshot_it_read_or_start_at_one()
    {
        // After a snapshot at 10: 11 and 12 follow on; 14 would skip 13.
        _recovery.Covered(10);
        _recovery.Replaying(11, "counter:k");
        _recovery.Replaying(12, "counter:k");
        _recovery.GapAtEnd(12, "counter:k").Should().BeNull();
        var skip = () => _recovery.Replaying(14, "counter:k");
        skip.Should().Throw<InvalidOperationException>().WithMessage("events 13 to 13 of counter:k are not in the journal*");

        // No snapshot read, and the journal's events start after deleted ones (or none remain).
        var fresh = new EntityRecovery<CounterState, ICounterEvent>(new CounterHandler().Apply, new RequestWindow(Window, 100));
        var late = () => fresh.Replaying(21, "counter:j");
        late.Should().Throw<InvalidOperationException>().WithMessage("events 1 to 20 of counter:j*");
        var emptied = new EntityRecovery<CounterState, ICounterEvent>(new CounterHandler().Apply, new RequestWindow(Window, 100));
        emptied.GapAtEnd(20, "counter:i").Should().NotBeNull("every event is gone and no snapshot covers them");
        emptied.GapAtEnd(0, "counter:i").Should().BeNull("a key never written has no gap");
    }

    [Fact]
    public void A_version_1_snapshot_remembers_its_ids_for_any_command()
    {
        var v1 = new EntitySnapshotV1(JournalSerializer.ManifestOf(typeof(CounterState)), JournalSerializer.ToElement(new CounterState(3)), ["old"]);

        _recovery.FromSnapshot(v1).Should().Be(new CounterState(3));
        _requests.Check("old", () => 99).Should().Be(RequestSeen.Applied);
    }

    [Fact]
    public void Rows_replay_their_events_and_remember_their_ids()
    {
        var row = JournaledWrite.Of(new AppliedRequest("w1", 5, Now), new ICounterEvent[] { new CounterAdded("w1", 2), new CounterAdded("w1", 3) });

        _recovery.Replay(new CounterState(1), row).Should().Be(new CounterState(6));
        _requests.Check("w1", () => 5).Should().Be(RequestSeen.Applied);
    }

    [Fact]
    public void Bare_events_from_an_older_journal_have_their_ids_remembered_once_the_journal_is_read()
    {
        var state = _recovery.Replay(new CounterState(0), new CounterAdded("legacy", 4));

        state.Should().Be(new CounterState(4));
        _requests.Check("legacy", () => 1).Should().Be(RequestSeen.New, "not until the whole journal is read");
        _recovery.Completed();
        _requests.Check("legacy", () => 1).Should().Be(RequestSeen.Applied);
    }
}
