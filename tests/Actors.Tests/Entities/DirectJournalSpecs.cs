using Actors.Protocol;
using Actors.Storage;
using Actors.Tests.Support;
using Actors.TestSupport;
using Akka.Persistence;
using FluentAssertions;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Actors.Tests.Entities;

/// <summary>
/// On a journal with its own writer an entity queues its rows on the writer itself, not through
/// Akka.Persistence's persist path. It numbers them on from where its recovery ended, and its
/// snapshots carry those numbers: a snapshot saved under a number behind its state would make the
/// next recovery replay events the state already holds. A caller is answered only once its rows
/// are committed.
/// </summary>
public sealed class DirectJournalSpecs : IAsyncLifetime
{
    private const string Hocon = """
        actors.entities.counter.snapshot-every = 5
        actors.entities.counter.snapshot-spread = 0
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _journal = TempJournal.NewPath();

    [Fact]
    public async Task An_entity_numbers_its_rows_on_from_its_recovery_and_its_snapshots_carry_those_numbers()
    {
        await using (var node = await TestNode.StartAsync(_journal, Hocon))
        {
            await AddAsync(node, 1, 7);
            // Started by the first entity's recovery, the journal has registered its writer by now.
            var journal = Persistence.Instance.Apply(node.System).JournalFor(null);
            DirectJournals.Get(node.System).For(journal).Should().NotBeNull("the node's SQL journal takes entities' rows on its writer");
            await Eventually.UntilAsync(() => Snapshots() is [5], Patience, "the snapshot at 5 saved");
        }

        await using (var again = await TestNode.StartAsync(_journal, Hocon))
        {
            // Recovered at 7 (the snapshot at 5, then 6 and 7); the next snapshot is due 5 events after the last.
            await AddAsync(again, 8, 13);
            await Eventually.UntilAsync(() => Snapshots() is [10], Patience, "the snapshot at 10 saved and the one at 5 deleted");
        }

        Column("SELECT sequence_number FROM journal WHERE persistence_id = 'counter:k' ORDER BY sequence_number", _journal)
            .Should().Equal(Enumerable.Range(1, 13).Select(n => (long)n));
        await using var third = await TestNode.StartAsync(_journal, Hocon);
        // From the snapshot at 10 (total 10) and events 11-13: a snapshot numbered behind 10 would replay more and answer more.
        (await third.Client.AskAsync<CounterValue>(new GetCounter(third.Client.NewRequestId(), "k"), Patience)).Total.Should().Be(13);
    }

    [Fact]
    public async Task An_add_is_answered_only_after_its_transaction_commits()
    {
        await using var node = await TestNode.StartAsync(_journal, Hocon);
        await AddAsync(node, 1, 1);

        // Another connection takes SQLite's write lock: the writer's transaction cannot begin, so
        // nothing it holds is committed.
        await using var holder = new SqliteConnection($"Data Source={_journal};Pooling=false");
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        var reply = node.Client.AskAsync<CounterValue>(new AddToCounter(node.Client.NewRequestId(), "k", 1), Patience);
        await FluentActions.Awaiting(() => reply).Should().NotCompleteWithinAsync(TimeSpan.FromSeconds(2), "no write is answered before its commit");

        await hold.RollbackAsync();
        (await reply).Total.Should().Be(2);
        Column("SELECT sequence_number FROM journal WHERE persistence_id = 'counter:k' ORDER BY sequence_number", _journal)
            .Should().Equal(1, 2);
    }

    private static async Task AddAsync(TestNode node, int from, int to)
    {
        for (var total = from; total <= to; total++)
        {
            (await node.Client.AskAsync<CounterValue>(new AddToCounter(node.Client.NewRequestId(), "k", 1), Patience)).Total.Should().Be(total);
        }
    }

    private long[] Snapshots() =>
        Column("SELECT sequence_number FROM snapshot WHERE persistence_id = 'counter:k' ORDER BY sequence_number", TempJournal.SnapshotsOf(_journal));

    private static long[] Column(string query, string file)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=false;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = query;
        using var reader = command.ExecuteReader();
        var values = new List<long>();
        while (reader.Read())
        {
            values.Add(reader.GetInt64(0));
        }

        return [.. values];
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        TempJournal.Delete(_journal);
        return Task.CompletedTask;
    }
}
