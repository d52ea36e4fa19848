using Actors.Entities;
using Actors.Gateway;
using Actors.Handlers;
using Actors.Protocol;
using Akka.Actor;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Entities;

/// <summary>An entity's group commit as plain logic: what goes to the journal together, and when each caller hears.</summary>
public sealed class WriteQueueSpecs
{
    private readonly WriteQueue<CounterState> _queue = new();
    private long _total;

    private static Caller NewCaller() => new(ActorRefs.Nobody, Guid.NewGuid());

    /// <summary>Decides one add, as the entity does: its row, the caller, the reply it will get.</summary>
    private (Caller Caller, IReply Reply) Decide(string id, long amount = 1)
    {
        _total += amount;
        var caller = NewCaller();
        IReply reply = new CounterValue(id, "k", _total);
        var write = JournaledWrite.Of(new AppliedRequest(id, 7, 1_000), new ICounterEvent[] { new CounterAdded(id, amount) });
        _queue.Add(write, 1, caller, reply);
        return (caller, reply);
    }

    [Fact]
    public void The_first_decision_goes_alone_and_those_made_while_it_is_stored_go_together_next()
    {
        var first = Decide("r1");
        var firstBatch = _queue.Next(new CounterState(_total), 0)!;
        var second = Decide("r2");
        var third = Decide("r3");

        _queue.Next(new CounterState(_total), 1).Should().BeNull("one write at a time keeps the journal in decision order");
        firstBatch.Writes.Select(w => w.Request.RequestId).Should().Equal("r1");

        _queue.Stored().Replies.Should().Equal(first);
        var next = _queue.Next(new CounterState(_total), 2)!;
        next.Writes.Select(w => w.Request.RequestId).Should().Equal("r2", "r3");
        next.Replies.Should().Equal(second, third);
        next.State.Should().Be(new CounterState(3), "the snapshot after this write is the state after its last command");
    }

    [Fact]
    public void A_retry_of_a_write_not_yet_stored_is_recognised_until_its_row_is_in_the_journal()
    {
        Decide("r1");
        _queue.TryGetUnwritten("r1", out var applied).Should().BeTrue();
        applied.CommandHash.Should().Be(7);
        _queue.Unwritten.Should().Be(1);

        _queue.Next(new CounterState(_total), 0);
        _queue.TryGetUnwritten("r1", out _).Should().BeTrue("being stored is not stored");

        _queue.Stored();
        _queue.TryGetUnwritten("r1", out _).Should().BeFalse("from now the entity's request window knows it");
        _queue.Unwritten.Should().Be(0);
    }

    [Fact]
    public void A_read_is_answered_at_once_when_nothing_waits_and_after_the_writes_decided_before_it_otherwise()
    {
        var read = NewCaller();
        _queue.ReplyNowOrAfterWrites(read, new CounterValue("read-1", "k", 0)).Should().BeTrue();

        Decide("r1");
        _queue.ReplyNowOrAfterWrites(read, new CounterValue("read-2", "k", 1)).Should().BeFalse();

        var batch = _queue.Next(new CounterState(_total), 0)!;
        batch.Replies.Select(r => r.Reply.RequestId).Should().Equal("r1", "read-2");
        _queue.Stored();
        _queue.Idle.Should().BeTrue();
    }

    [Fact]
    public void Replies_waiting_behind_no_write_are_released_without_one()
    {
        Decide("r1");
        _queue.Next(new CounterState(_total), 0);
        _queue.ReplyNowOrAfterWrites(NewCaller(), new CounterValue("read-1", "k", 1)).Should().BeFalse();
        _queue.Stored();

        var replies = _queue.Next(new CounterState(_total), 1)!;

        replies.Writes.Should().BeEmpty();
        replies.Replies.Select(r => r.Reply.RequestId).Should().Equal("read-1");
        _queue.Idle.Should().BeTrue();
    }

    [Fact]
    public void A_failed_write_answers_its_callers_with_the_failure_and_later_callers_unavailable_except_retries_of_it()
    {
        Decide("r1");
        _queue.Next(new CounterState(_total), 0);
        Decide("r2");
        var retryOfR1 = NewCaller();
        _queue.ReplyNowOrAfterWrites(retryOfR1, new CounterValue("r1", "k", 1));

        var answers = _queue.Fail(ErrorCode.Unavailable, "journal write failed");

        answers.Select(a => (a.Reply.RequestId, ((ErrorReply)a.Reply).Code, ((ErrorReply)a.Reply).Message)).Should().Equal(
            ("r1", ErrorCode.Unavailable, "journal write failed"),
            ("r2", ErrorCode.Unavailable, "an earlier write of this entity failed; this request was not carried out"),
            ("r1", ErrorCode.Unavailable, "journal write failed"));
        answers.Should().OnlyContain(a => ((ErrorReply)a.Reply).RetryAfter == TimeSpan.FromSeconds(1));
        _queue.Idle.Should().BeTrue();
        _queue.Unwritten.Should().Be(0, "the entity recovers from what the journal holds");
    }

    [Fact]
    public void A_write_of_one_command_is_that_commands_failure_alone()
    {
        Decide("r1");
        _queue.Next(new CounterState(_total), 0);
        _queue.WritingOneCommand.Should().BeTrue();

        var answers = _queue.Fail(ErrorCode.HandlerFailed, "journal rejected the event");

        answers.Should().ContainSingle().Which.Reply.Should().BeOfType<ErrorReply>()
            .Which.RetryAfter.Should().BeNull("the command itself is at fault: no point retrying it");
    }

    [Fact]
    public void A_group_of_commands_is_not_one_commands_failure()
    {
        Decide("r1");
        Decide("r2");
        _queue.Next(new CounterState(_total), 0);

        _queue.WritingOneCommand.Should().BeFalse();
    }
}
