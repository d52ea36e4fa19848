using Actors.Tests.Support;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using FluentAssertions;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Actors.Tests.Storage;

/// <summary>The journal's own writer on SQLite (<see cref="JournalWriterChecks"/>; PostgreSQL's in Actors.ClusterTests).</summary>
public sealed class JournalWriterSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _journal = TempJournal.NewPath();

    [Fact]
    public async Task A_write_that_conflicts_fails_alone_and_every_write_committed_beside_it_is_stored_and_read_back()
    {
        await using var node = await TestNode.StartAsync(_journal);
        await JournalWriterChecks.A_write_that_conflicts_fails_alone(node.System, Count);
    }

    [Fact]
    public async Task Tagged_events_go_to_the_plugins_tag_table_pointing_at_their_rows()
    {
        await using var node = await TestNode.StartAsync(_journal);
        await JournalWriterChecks.Tagged_events_go_to_the_tag_table(node.System, Count);
    }

    [Fact]
    public async Task Answers_reach_each_commands_sender_in_order_and_a_rejected_event_is_reported()
    {
        await using var node = await TestNode.StartAsync(_journal);
        await JournalWriterChecks.Answers_reach_each_commands_sender_in_order(node.System);
    }

    [Fact]
    public async Task The_plugins_own_write_path_answers_the_same_way()
    {
        // Akka.Persistence's AsyncWriteJournal, which DirectWrites stands in for: the check's
        // expected answers are its behaviour, not only ours.
        await using var node = await TestNode.StartAsync(_journal, "akka.persistence.journal.sql.group-commit-writer = off");
        await JournalWriterChecks.Answers_reach_each_commands_sender_in_order(node.System);
    }

    [Fact]
    public async Task An_event_adapter_bound_to_the_journal_changes_what_is_stored_and_other_events_are_stored_as_they_came()
    {
        // The writer skips Akka's preparation only for payloads no adapter is bound to.
        await using var node = await TestNode.StartAsync(_journal, $$"""
            akka.persistence.journal.sql {
              event-adapters.marking = "{{typeof(Marking).AssemblyQualifiedName}}"
              event-adapter-bindings { "{{typeof(Marked).AssemblyQualifiedName}}" = marking }
            }
            """);
        var first = node.System.ActorOf(Props.Create(() => new Adapted("adapted")));
        (await first.Ask<string>(new object[] { new Marked("a"), "b" }, Patience)).Should().Be("persisted 2");

        // The bound event was stored as the adapter made it (its own type has no serializer here), the
        // plain one as it came.
        (await Count("SELECT COUNT(*) FROM journal WHERE persistence_id = 'adapted' AND CAST(message AS TEXT) LIKE '%a (marked)%'")).Should().Be(1);
        var again = node.System.ActorOf(Props.Create(() => new Adapted("adapted")));
        (await again.Ask<string[]>("events", Patience)).Should().Equal("a (marked)", "b");
    }

    private Task<long> Count(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_journal};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Task.FromResult((long)command.ExecuteScalar()!);
    }

    /// <summary>An event the adapter below is bound to.</summary>
    public sealed record Marked(string Text);

    /// <summary>Stores a <see cref="Marked"/> as its text with a mark (read back as that text: reads look adapters up by the stored type).</summary>
    public sealed class Marking : IEventAdapter
    {
        public string Manifest(object evt) => string.Empty;

        public object ToJournal(object evt) => ((Marked)evt).Text + " (marked)";

        public IEventSequence FromJournal(object evt, string manifest) => EventSequence.Single(evt);
    }

    /// <summary>Persists a command's events (answering once all are stored), and lists what it recovered.</summary>
    private sealed class Adapted : ReceivePersistentActor
    {
        private readonly List<string> _events = [];

        public Adapted(string persistenceId)
        {
            PersistenceId = persistenceId;
            Recover<string>(_events.Add);
            Command<string>(message => message == "events", _ => Sender.Tell(_events.ToArray()));
            Command<object[]>(events =>
            {
                var stored = 0;
                PersistAll(events, _ =>
                {
                    if (++stored == events.Length)
                    {
                        Sender.Tell($"persisted {stored}");
                    }
                });
            });
        }

        public override string PersistenceId { get; }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        TempJournal.Delete(_journal);
        return Task.CompletedTask;
    }
}
