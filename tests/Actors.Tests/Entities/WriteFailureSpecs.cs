using System.Collections.Immutable;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Persistence;
using Akka.Persistence.Journal;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Entities;

/// <summary>
/// A journal write that fails or is rejected while commands for the same key queue behind it:
/// every caller gets exactly one answer, none of them a success that was not stored.
/// </summary>
[Collection(nameof(WriteFailureSpecs))]
public sealed class WriteFailureSpecs : NodeSpec
{
    private const string Hocon = """
        held-journal {
          class = "Actors.Tests.Entities.WriteFailureSpecs+HeldJournal, Actors.Tests"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        actors.entities.counter.journal-plugin-id = held-journal
        """;

    public WriteFailureSpecs(ITestOutputHelper output) : base(output, Hocon)
    {
        HeldJournal.Reset();
    }

    [Fact]
    public async Task A_failed_write_and_the_commands_queued_behind_it_are_answered_Unavailable_once_each()
    {
        // The first add's write is held in the journal; the others queue in the entity behind it.
        var first = Send(new AddToCounter(Id(), "k", 1));
        await AwaitAssertAsync(() => HeldJournal.Writes.Should().BePositive(), Patience);
        var adds = Enumerable.Range(0, 20).Select(_ => Send(new AddToCounter(Id(), "k", 1))).Prepend(first).ToList();
        var read = Send(new GetCounter(Id(), "k"));

        HeldJournal.Release(Outcome.Fail);
        var replies = await Task.WhenAll(adds);

        replies.Should().HaveCount(21).And.AllBeOfType<ErrorReply>();
        replies.Cast<ErrorReply>().Should().OnlyContain(e => e.Code == ErrorCode.Unavailable, "nothing may be acknowledged that was not stored");
        // The read waited behind the writes: told to retry, or (if it reached the entity's next
        // incarnation, recovered from the journal) the stored total, which is nothing.
        var readReply = await read;
        var told = readReply is ErrorReply { Code: ErrorCode.Unavailable } || readReply is CounterValue { Total: 0 };
        told.Should().BeTrue($"the read saw nothing that was not stored (got {readReply})");
    }

    [Fact]
    public async Task A_rejected_write_of_a_lone_command_is_answered_HandlerFailed_and_the_entity_serves_again()
    {
        HeldJournal.Release(Outcome.Reject);
        var error = await ExpectError(new AddToCounter(Id(), "r", 1), ErrorCode.HandlerFailed);
        error.Message.Should().Contain("rejected");

        HeldJournal.Reset();
        HeldJournal.Release(Outcome.Store);
        // The entity stops after a rejection; a command that meets it stopping is answered
        // Unavailable (not carried out), and a client sends it again, as here.
        var add = new AddToCounter(Id(), "r", 2);
        await AwaitAssertAsync(async () =>
            (await Expect<CounterValue>(add)).Total.Should().Be(2, "the rejected add was not stored"), Patience);
    }

    [Fact]
    public async Task Writes_failing_on_many_keys_at_once_log_one_line_not_one_per_entity()
    {
        // As while the database is down: every entity writing fails. Akka.Persistence logs one
        // error per entity; ours is one per type per actors.log.offence-interval (1 min here).
        HeldJournal.Release(Outcome.Fail);
        await EventFilter.Error(contains: "Journal write of").ExpectAsync(1, async () =>
        {
            var replies = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Send(new AddToCounter(Id(), $"down-{i}", 1))));
            // Each write failed in the journal (nothing else answers a fresh key's add Unavailable here).
            replies.Should().OnlyContain(r => r is ErrorReply && ((ErrorReply)r).Code == ErrorCode.Unavailable);
        }, Patience);
    }

    public enum Outcome
    {
        Store,
        Fail,
        Reject,
    }

    /// <summary>An in-memory journal whose writes wait until the spec says how they end.</summary>
    public sealed class HeldJournal : MemoryJournal
    {
        private static TaskCompletionSource<Outcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private static int _writes;

        public static int Writes => Volatile.Read(ref _writes);

        public static void Reset()
        {
            _outcome = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _writes, 0);
        }

        public static void Release(Outcome outcome) => _outcome.TrySetResult(outcome);

        protected override async Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
        {
            var writes = messages.ToList();
            Interlocked.Increment(ref _writes);
            switch (await _outcome.Task)
            {
                case Outcome.Fail:
                    throw new IOException("the disk is gone");
                case Outcome.Reject:
                    return writes.Select(_ => (Exception)new NotSupportedException("cannot store this event")).ToImmutableList();
                default:
                    return await base.WriteMessagesAsync(writes, cancellationToken);
            }
        }
    }
}
