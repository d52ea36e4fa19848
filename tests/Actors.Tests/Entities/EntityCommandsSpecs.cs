using Actors.Entities;
using Actors.Handlers;
using Actors.Hosting;
using Actors.Protocol;
using Akka.Event;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Entities;

/// <summary>What one command does to an entity, as plain logic: retries recognised, ids not reused, the window bounded.</summary>
public sealed class EntityCommandsSpecs
{
    private const long Now = 1_800_000_000_000;
    private static readonly EntityTypeSettings Settings = EntityTypeSettings.From(NodeConfig.Defaults, "counter") with { MaxRememberedRequests = 2 };
    private readonly EntityCommands<CounterState, ICounterCommand, ICounterEvent> _commands = new(new CounterHandler(),
        new RequestWindow(Settings.RememberRequestsFor, Settings.MaxRememberedRequests), Settings, "counter:k", NoLogger.Instance);

    private EntityCommands<CounterState, ICounterCommand, ICounterEvent>.Outcome Decide(ICounterCommand command, CounterState? state = null,
        AppliedRequest? unwritten = null, long now = Now) =>
        _commands.Decide(state ?? new CounterState(5), command, id => unwritten?.RequestId == id ? unwritten : null, unwritten is null ? 0 : 1, now);

    private static EntityCommands<CounterState, ICounterCommand, ICounterEvent>.Outcome.Answer Answer(
        EntityCommands<CounterState, ICounterCommand, ICounterEvent>.Outcome outcome) =>
        outcome.Should().BeOfType<EntityCommands<CounterState, ICounterCommand, ICounterEvent>.Outcome.Answer>().Subject;

    [Fact]
    public void A_write_is_decided_with_its_id_the_hash_of_its_command_and_the_time()
    {
        var add = new AddToCounter("w1", "k", 3);

        var write = Decide(add).Should().BeOfType<EntityCommands<CounterState, ICounterCommand, ICounterEvent>.Outcome.Write>().Subject;

        write.Request.Should().Be(new AppliedRequest("w1", Hashes.OfCommand(add), Now));
        write.Events.Should().Equal(new CounterAdded("w1", 3));
        write.Next.Should().Be(new CounterState(8));
        write.Reply.Should().Be(new CounterValue("w1", "k", 8));
    }

    [Fact]
    public void A_retry_of_a_stored_or_a_decided_write_is_answered_after_the_writes_and_applies_nothing()
    {
        var add = new AddToCounter("w1", "k", 3);
        _commands.Requests.Add(new AppliedRequest("w1", Hashes.OfCommand(add), Now));

        var stored = Answer(Decide(add, new CounterState(8)));
        var deciding = Answer(Decide(new AddToCounter("w2", "k", 3), new CounterState(8),
            unwritten: new AppliedRequest("w2", Hashes.OfCommand(new AddToCounter("w2", "k", 3)), Now)));

        stored.Should().Be(new EntityCommands<CounterState, ICounterCommand, ICounterEvent>.Outcome.Answer(new CounterValue("w1", "k", 8), AfterWrites: true));
        deciding.Reply.Should().Be(new CounterValue("w2", "k", 8));
        deciding.AfterWrites.Should().BeTrue("it must not acknowledge a write before it is stored");
    }

    [Fact]
    public void A_reply_the_wire_does_not_take_is_refused_before_anything_is_written_and_on_a_retry()
    {
        // An allow-list without CounterValue: the reply could not reach a gateway on another member.
        var commands = new EntityCommands<CounterState, ICounterCommand, ICounterEvent>(new CounterHandler(),
            new RequestWindow(Settings.RememberRequestsFor, Settings.MaxRememberedRequests), Settings, "counter:k", NoLogger.Instance,
            new Actors.Serialization.WireShape(new Actors.Serialization.AllowList([])));
        var add = new AddToCounter("w1", "k", 3);

        var fresh = Answer(commands.Decide(new CounterState(5), add, _ => null, 0, Now));
        commands.Requests.Add(new AppliedRequest("w1", Hashes.OfCommand(add), Now));
        var retried = Answer(commands.Decide(new CounterState(8), add, _ => null, 0, Now));

        fresh.Reply.Should().BeOfType<ErrorReply>().Which.Message.Should().Contain("CounterValue").And.Contain("nothing was written");
        retried.Reply.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.HandlerFailed);
    }

    [Fact]
    public void An_id_reused_for_a_different_command_is_refused()
    {
        _commands.Requests.Add(new AppliedRequest("w1", Hashes.OfCommand(new AddToCounter("w1", "k", 3)), Now));

        Answer(Decide(new AddToCounter("w1", "k", 4))).Reply.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.InvalidRequest);
    }

    [Fact]
    public void A_read_waits_behind_the_writes_and_a_handler_failure_is_answered_at_once()
    {
        Answer(Decide(new GetCounter("r1", "k"))).AfterWrites.Should().BeTrue();

        var failed = Answer(Decide(new AddToCounter("w1", "k", 1, FailRate: 1)));
        failed.AfterWrites.Should().BeFalse();
        failed.Reply.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.HandlerFailed);
    }

    [Fact]
    public void A_write_that_would_make_the_entity_forget_an_id_inside_the_window_is_refused_overloaded()
    {
        _commands.Requests.Add(new AppliedRequest("w1", 1, Now));

        var refused = Answer(Decide(new AddToCounter("w3", "k", 1), unwritten: new AppliedRequest("w2", 2, Now)));

        refused.Reply.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.Overloaded);
        Decide(new AddToCounter("w3", "k", 1), now: Now + (long)Settings.RememberRequestsFor.TotalMilliseconds + 1)
            .Should().BeOfType<EntityCommands<CounterState, ICounterCommand, ICounterEvent>.Outcome.Write>("the oldest has left the window");
    }
}
