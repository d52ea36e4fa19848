using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using FluentAssertions;

namespace Actors.Tests.Storage;

/// <summary>
/// What the journal's own writer (JournalWriter) must do on every database it commits for, run by
/// each database's spec (this file is compiled into both test projects): many actors' writes in
/// one transaction, a conflicting write failing alone, tags in the plugin's tag table, all read
/// back by the plugin. <c>count</c> runs a <c>SELECT COUNT(*)</c> on the journal's database.
/// </summary>
internal static class JournalWriterChecks
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task A_write_that_conflicts_fails_alone(ActorSystem system, Func<string, Task<long>> count)
    {
        var report = new Inbox(system);
        var writers = Enumerable.Range(0, 30).Select(i => system.ActorOf(Props.Create(() => new Writer($"w-{i}", report.Receiver)))).ToList();
        // Two actors believing they own one id: both recover it empty and both append its number 1.
        var twins = new[] { "a", "b" }.Select(_ => system.ActorOf(Props.Create(() => new Writer("twin", report.Receiver)))).ToList();

        // Both twins recovered before either writes: a twin recovering after the other's write would
        // read its number 1 and append number 2, legitimately.
        foreach (var twin in twins)
        {
            (await twin.Ask<string[]>("events", Patience)).Should().BeEmpty();
        }

        foreach (var actor in writers.Concat(twins))
        {
            actor.Tell("e1");
        }

        var outcomes = await report.Take(32, Patience);
        outcomes.Where(o => o.Id.StartsWith("w-", StringComparison.Ordinal)).Should().HaveCount(30).And.OnlyContain(o => o.Outcome == "persisted");
        outcomes.Where(o => o.Id == "twin").Select(o => o.Outcome).Should().BeEquivalentTo(["persisted", "failed"]);

        var again = system.ActorOf(Props.Create(() => new Writer("w-7", report.Receiver)));
        (await again.Ask<string[]>("events", Patience)).Should().Equal("e1");
        (await count("SELECT COUNT(*) FROM journal WHERE persistence_id = 'twin'")).Should().Be(1);
        (await count("SELECT COUNT(*) FROM journal WHERE persistence_id LIKE 'w-%'")).Should().Be(30);
    }

    public static async Task Tagged_events_go_to_the_tag_table(ActorSystem system, Func<string, Task<long>> count)
    {
        var report = new Inbox(system);
        var writer = system.ActorOf(Props.Create(() => new Writer("tagged", report.Receiver)));
        // Untagged writes alongside, so some share the tagged one's transaction.
        var plain = Enumerable.Range(0, 20).Select(i => system.ActorOf(Props.Create(() => new Writer($"plain-{i}", report.Receiver)))).ToList();

        writer.Tell(new Tagged("e1", ["blue", "green"]));
        plain.ForEach(actor => actor.Tell("e1"));
        (await report.Take(21, Patience)).Should().OnlyContain(o => o.Outcome == "persisted");

        (await count("SELECT COUNT(*) FROM tags t JOIN journal j ON j.ordering = t.ordering_id " +
                     "WHERE t.persistence_id = 'tagged' AND t.sequence_nr = 1 AND j.sequence_number = 1 " +
                     "AND j.persistence_id = 'tagged' AND t.tag IN ('blue', 'green')")).Should().Be(2);
        (await count("SELECT COUNT(*) FROM tags")).Should().Be(2);
        var again = system.ActorOf(Props.Create(() => new Writer("tagged", report.Receiver)));
        (await again.Ask<string[]>("events", Patience)).Should().Equal("e1");
        (await count("SELECT COUNT(*) FROM journal WHERE persistence_id LIKE 'plain-%'")).Should().Be(20);
    }

    /// <summary>
    /// The writer keeps its connections open: when the database ends every session (a restart, a
    /// failover), the next writes still succeed, on fresh connections.
    /// </summary>
    public static async Task Writes_after_every_session_was_ended_succeed(ActorSystem system, Func<Task> endSessions)
    {
        var report = new Inbox(system);
        var writers = Enumerable.Range(0, 30).Select(i => system.ActorOf(Props.Create(() => new Writer($"s-{i}", report.Receiver)))).ToList();
        writers.ForEach(actor => actor.Tell("e1"));
        (await report.Take(30, Patience)).Should().OnlyContain(o => o.Outcome == "persisted");

        await endSessions();

        // One at a time: each write a transaction of its own, so some land on a writer thread whose
        // kept connection the server ended (a batch of many could hide that behind one-by-one retries).
        foreach (var actor in writers)
        {
            actor.Tell("e2");
            (await report.Take(1, Patience)).Should().OnlyContain(o => o.Outcome == "persisted", "no write is the lost session's fault");
        }
    }

    /// <summary>
    /// A write's answers reach the persistent actor as Akka.Persistence's own journal sends them:
    /// each event's handler runs in order with the command's sender as <c>Sender</c>, a deferred
    /// handler after them, a rejected event (it cannot be serialized) is reported to the same sender
    /// and the actor goes on writing. Writes from other actors share the transactions.
    /// </summary>
    public static async Task Answers_reach_each_commands_sender_in_order(ActorSystem system)
    {
        var report = new Inbox(system);
        var others = Enumerable.Range(0, 20).Select(i => system.ActorOf(Props.Create(() => new Writer($"o-{i}", report.Receiver)))).ToList();
        var echo = system.ActorOf(Props.Create(() => new Echo("echo")));

        others.ForEach(actor => actor.Tell("e1"));
        echo.Tell(new object[] { "a", "b", "c" }, report.Receiver);
        echo.Tell(new object[] { new Unmapped() }, report.Receiver);
        echo.Tell(new object[] { "d" }, report.Receiver);

        var seen = await report.Take(20 + 8, Patience);
        seen.Where(o => o.Id.StartsWith("o-", StringComparison.Ordinal)).Should().OnlyContain(o => o.Outcome == "persisted");
        seen.Where(o => o.Id == "echo").Select(o => o.Outcome).Should()
            .Equal("persisted a", "persisted b", "persisted c", "deferred", "rejected", "deferred", "persisted d", "deferred");
        var again = system.ActorOf(Props.Create(() => new Writer("echo", report.Receiver)));
        (await again.Ask<string[]>("events", Patience)).Should().Equal("a", "b", "c", "d");
    }

    /// <summary>Journaled, but declares no manifest: the journal's serializer refuses it.</summary>
    private sealed record Unmapped : Actors.Entities.IJournaled;

    /// <summary>Persists every event of a command, then defers; answers go to <c>Sender</c> as each handler runs.</summary>
    private sealed class Echo : ReceivePersistentActor
    {
        public Echo(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<object[]>(events =>
            {
                PersistAll(events, stored => Sender.Tell(($"persisted {stored}", PersistenceId)));
                DeferAsync("deferred", deferred => Sender.Tell((deferred, PersistenceId)));
            });
        }

        public override string PersistenceId { get; }

        protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr) =>
            Sender.Tell(("rejected", PersistenceId));
    }

    /// <summary>Persists what it is told (a string, or tagged), then reports it; a failed write reports that.</summary>
    private sealed class Writer : ReceivePersistentActor
    {
        private readonly List<string> _events = [];
        private readonly IActorRef _report;

        public Writer(string persistenceId, IActorRef report)
        {
            PersistenceId = persistenceId;
            _report = report;
            Recover<string>(_events.Add);
            Command<string>(message => message == "events", _ => Sender.Tell(_events.ToArray()));
            Command<object>(message => Persist(message, stored =>
            {
                _events.Add(stored is Tagged tagged ? (string)tagged.Payload : (string)stored);
                _report.Tell(("persisted", PersistenceId));
            }));
        }

        public override string PersistenceId { get; }

        protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
        {
            _report.Tell(("failed", PersistenceId));
            base.OnPersistFailure(cause, @event, sequenceNr);
        }
    }

    /// <summary>Collects the writers' reports.</summary>
    private sealed class Inbox
    {
        private readonly System.Threading.Channels.Channel<(string Outcome, string Id)> _seen =
            System.Threading.Channels.Channel.CreateUnbounded<(string Outcome, string Id)>();

        public Inbox(ActorSystem system)
        {
            var seen = _seen.Writer;
            Receiver = system.ActorOf(Props.Create(() => new Collector(seen)));
        }

        public IActorRef Receiver { get; }

        public async Task<List<(string Outcome, string Id)>> Take(int count, TimeSpan within)
        {
            using var cancel = new CancellationTokenSource(within);
            var taken = new List<(string Outcome, string Id)>();
            while (taken.Count < count)
            {
                taken.Add(await _seen.Reader.ReadAsync(cancel.Token));
            }

            return taken;
        }

        private sealed class Collector : ReceiveActor
        {
            public Collector(System.Threading.Channels.ChannelWriter<(string Outcome, string Id)> to) =>
                Receive<(string Outcome, string Id)>(seen => to.TryWrite(seen));
        }
    }
}
