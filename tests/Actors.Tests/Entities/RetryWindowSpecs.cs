using Actors.Handlers;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Persistence;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Entities;

/// <summary>
/// A retried write is applied once for the whole request window, however many writes come
/// between; an id reused for another command is refused; ids from a journal written before
/// hashes still count; a key that would have to forget an id still in the window refuses new writes.
/// </summary>
public sealed class RetryWindowSpecs(ITestOutputHelper output) : NodeSpec(output, Hocon)
{
    private const string Hocon = """
        actors.entities.counter.snapshot-every = 7
        actors.entities.counter.snapshot-spread = 0
        actors.entities.counter.max-remembered-requests = 500
        actors.admission.adaptive.enabled = off
        """;

    [Fact]
    public async Task A_retry_after_more_than_64_other_writes_to_its_key_is_applied_once()
    {
        var key = Id();
        var first = new AddToCounter(Id(), key, 1000);
        (await Expect<CounterValue>(first)).Total.Should().Be(1000);
        for (var i = 0; i < 100; i++)
        {
            await Expect<CounterValue>(new AddToCounter(Id(), key, 1));
        }

        var retry = await Expect<CounterValue>(first);

        retry.Total.Should().Be(1100, "the retry is answered with the total as it is, the 1000 added once");
        (await Expect<CounterValue>(new GetCounter(Id(), key))).Total.Should().Be(1100);
    }

    [Fact]
    public async Task An_id_reused_for_a_different_command_is_refused_and_changes_nothing()
    {
        var key = Id();
        var id = Id();
        await Expect<CounterValue>(new AddToCounter(id, key, 5));

        var error = await ExpectError(new AddToCounter(id, key, 7), ErrorCode.InvalidRequest);

        error.Message.Should().Contain("different command");
        (await Expect<CounterValue>(new GetCounter(Id(), key))).Total.Should().Be(5);
    }

    [Fact]
    public async Task Writes_from_a_journal_without_request_records_are_still_recognised()
    {
        // What an earlier version wrote: the counter's event alone, naming its request id.
        var key = Id();
        var writer = Sys.ActorOf(Props.Create(() => new OldVersionWriter($"counter:{key}", new CounterAdded("old-1", 5))));
        await writer.Ask<string>("written", Patience);

        var retry = await Expect<CounterValue>(new AddToCounter("old-1", key, 5));

        retry.Total.Should().Be(5, "applied once, by the earlier version");
    }

    [Fact]
    public async Task A_key_whose_window_is_full_refuses_new_writes_overloaded_and_still_recognises_retries()
    {
        var key = Id();
        var first = new AddToCounter(Id(), key, 1);
        await Expect<CounterValue>(first);
        for (var i = 1; i < 500; i++)
        {
            await Expect<CounterValue>(new AddToCounter(Id(), key, 1));
        }

        var refused = await ExpectError(new AddToCounter(Id(), key, 1), ErrorCode.Overloaded);

        refused.RetryAfter.Should().BeGreaterThan(TimeSpan.FromSeconds(1), "room comes when the oldest id leaves the window");
        (await Expect<CounterValue>(first)).Total.Should().Be(500, "the oldest retry is still recognised");
        (await Expect<CounterValue>(new GetCounter(Id(), key))).Total.Should().Be(500, "reads go on");
    }

    /// <summary>Persists one event under an entity's persistence id, as an earlier version of the entity did.</summary>
    private sealed class OldVersionWriter : ReceivePersistentActor
    {
        public OldVersionWriter(string persistenceId, object @event)
        {
            PersistenceId = persistenceId;
            CommandAny(message => Persist(@event, _ => Sender.Tell(message)));
        }

        public override string PersistenceId { get; }
    }
}
