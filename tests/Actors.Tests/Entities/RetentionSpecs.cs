using Actors.Protocol;
using Actors.Tests.Support;
using Actors.TestSupport;
using Akka.Actor;
using FluentAssertions;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Actors.Tests.Entities;

/// <summary>
/// retention = since-snapshot: the events a snapshot covers leave the journal, and still every
/// total reads back, every retried write is recognised (even one whose row is gone), and a key
/// whose covering snapshot is unreadable is refused rather than rebuilt from what is left.
/// </summary>
public sealed class RetentionSpecs : IAsyncLifetime
{
    private const int SnapshotEvery = 5;
    private const int Adds = 23;

    private static readonly string Hocon = $$"""
        actors.entities.counter.snapshot-every = {{SnapshotEvery}}
        actors.entities.counter.snapshot-spread = 0
        actors.entities.counter.retention = since-snapshot
        actors.entities.counter.recovery-backoff { min = 5s, max = 30s }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _journal = TempJournal.NewPath();

    [Fact]
    public async Task The_journal_keeps_only_what_the_last_snapshot_does_not_cover_and_totals_and_retries_survive_a_restart()
    {
        var sent = new List<AddToCounter>();
        await using (var node = await TestNode.StartAsync(_journal, Hocon))
        {
            for (var i = 0; i < Adds; i++)
            {
                var add = new AddToCounter(node.Client.NewRequestId(), "kept", 3);
                sent.Add(add);
                (await node.Client.AskAsync<CounterValue>(add)).Total.Should().Be(3 * (i + 1));
            }

            // Deleting follows each snapshot's save: wait for the last one (at 20) to be done.
            // Events 21-23 and the marker row of 20, which keeps the highest sequence number; 23 rows with retention = all.
            await Eventually.UntilAsync(() => Rows("counter:kept") <= Adds - 20 + 1, Patience, "the events up to the last snapshot deleted");
        }


        await using var again = await TestNode.StartAsync(_journal, Hocon);
        (await again.Client.AskAsync<CounterValue>(new GetCounter(again.Client.NewRequestId(), "kept"), Patience)).Total.Should().Be(3 * Adds);
        // A retry of the second write (its row deleted long ago) and of the last one: recognised, not applied again.
        foreach (var retry in new[] { sent[1], sent[^1] })
        {
            await again.Client.SendAsync(retry, Patience);
        }

        (await again.Client.AskAsync<CounterValue>(new GetCounter(again.Client.NewRequestId(), "kept"))).Total.Should().Be(3 * Adds);
        (await again.Client.AskAsync<CounterValue>(new AddToCounter(again.Client.NewRequestId(), "kept", 1))).Total.Should().Be(3 * Adds + 1);
    }

    [Fact]
    public async Task A_key_whose_covering_snapshot_cannot_be_read_is_refused_not_rebuilt_from_a_partial_history()
    {
        await using (var node = await TestNode.StartAsync(_journal, Hocon))
        {
            for (var i = 0; i < 12; i++)
            {
                await node.Client.AskAsync<CounterValue>(new AddToCounter(node.Client.NewRequestId(), "torn", 1));
            }

            await Eventually.UntilAsync(() => Rows("counter:torn") <= 12 - 10 + 1, Patience, "the events up to the last snapshot deleted");
        }

        using (var snapshots = new SqliteConnection($"Data Source={TempJournal.SnapshotsOf(_journal)};Pooling=false"))
        {
            snapshots.Open();
            using var poison = snapshots.CreateCommand();
            poison.CommandText = "UPDATE snapshot SET snapshot = X'00FF00' WHERE persistence_id = 'counter:torn'";
            poison.ExecuteNonQuery().Should().BePositive();
        }

        await using var again = await TestNode.StartAsync(_journal, Hocon);
        var read = await again.Gateway.Ask<IReply>(new GetCounter(again.Client.NewRequestId(), "torn"), Patience);

        // Replaying what is left (events 11 and 12) would answer 2: a wrong total, never given.
        read.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.Unavailable);
    }

    private long Rows(string persistenceId)
    {
        using var connection = new SqliteConnection($"Data Source={_journal};Pooling=false;Mode=ReadOnly");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM journal WHERE persistence_id = $id";
        count.Parameters.AddWithValue("$id", persistenceId);
        return (long)count.ExecuteScalar()!;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        TempJournal.Delete(_journal);
        return Task.CompletedTask;
    }
}
