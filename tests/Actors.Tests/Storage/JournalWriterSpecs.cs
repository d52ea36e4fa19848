using Actors.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Actors.Tests.Storage;

/// <summary>The journal's own writer on SQLite (<see cref="JournalWriterChecks"/>; PostgreSQL's in Actors.ClusterTests).</summary>
public sealed class JournalWriterSpecs : IAsyncLifetime
{
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

    private Task<long> Count(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_journal};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Task.FromResult((long)command.ExecuteScalar()!);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        TempJournal.Delete(_journal);
        return Task.CompletedTask;
    }
}
