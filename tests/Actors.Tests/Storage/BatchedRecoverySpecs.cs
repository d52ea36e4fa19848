using Actors.Hosting;
using Actors.Protocol;
using Actors.Storage;
using Actors.Tests.Support;
using Actors.TestSupport;
using FluentAssertions;
using Microsoft.Data.Sqlite;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Storage;

/// <summary>
/// Entities recovering together share their journal and snapshot reads (BatchedSqlJournal,
/// BatchedSqlSnapshotStore) and each still recovers exactly its own state, on the node's SQLite journal.
/// </summary>
public sealed class BatchedRecoverySpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Keys = 300;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _journal = TempJournal.NewPath();

    // Every key's recovery may start at once (node.conf admits 50 at a time).
    private static readonly string AllAtOnce = $"akka.persistence.max-concurrent-recoveries = {Keys}\n";

    [Fact]
    public async Task Fresh_keys_recovering_at_once_read_their_highest_sequence_numbers_and_snapshots_in_shared_queries()
    {
        await using var node = await TestNode.StartAsync(_journal, AllAtOnce);
        var before = await StartedAsync(node);
        var replies = await Task.WhenAll(Enumerable.Range(0, Keys).Select(i =>
            node.Client.AskAsync<CounterValue>(new AddToCounter(node.Client.NewRequestId(), $"fresh-{i}", i), Patience)));

        replies.Select(r => r.Total).Should().Equal(Enumerable.Range(0, Keys).Select(i => (long)i));
        var (highest, snapshots) = Since(before, Reads(node));
        Figures.Record(output, $"batched recovery, {Keys} fresh keys at once: highest sequence numbers {highest.Ids} ids in " +
                               $"{highest.Queries} queries, snapshots {snapshots.Ids} ids in {snapshots.Queries} queries");
        // Every key read once, in shared queries (one query per key before batching). How many
        // share one depends on how many arrive while one runs: more on a busier machine; 2.2 to 8
        // ids per query measured on an idle 2-core one, so the bound holds with room.
        highest.Ids.Should().Be(Keys);
        snapshots.Ids.Should().Be(Keys);
        highest.Queries.Should().BeLessThanOrEqualTo(Keys * 3 / 4);
        snapshots.Queries.Should().BeLessThanOrEqualTo(Keys * 3 / 4);
    }

    [Fact]
    public async Task Keys_with_snapshots_and_events_recover_their_own_totals_in_shared_reads_and_one_unreadable_snapshot_affects_only_its_key()
    {
        // Snapshot at 5, events 6 and 7 after it, for every key; retention = all keeps the events the snapshot covers.
        // Every key's snapshot is due at once: as many slots as keys, so each saves at 5.
        var hocon = AllAtOnce + $"actors.entities.counter {{ snapshot-every = 5, snapshot-spread = 0, max-snapshots-in-flight = {Keys} }}";
        await using (var node = await TestNode.StartAsync(_journal, hocon))
        {
            for (var add = 1; add <= 7; add++)
            {
                await Task.WhenAll(Enumerable.Range(0, Keys).Select(i =>
                    node.Client.AskAsync<CounterValue>(new AddToCounter(node.Client.NewRequestId(), $"kept-{i}", i + 1), Patience)));
            }

            await Eventually.UntilAsync(() => SnapshotCount() >= Keys, Patience, "every key's snapshot saved");
            // The saves (and each key's delete of older snapshots) shared transactions: one each before.
            var writes = RecoveryReads.Get(node.System).Of(RecoveryReads.Writes(SqliteDurability.SnapshotPlugin));
            writes.Ids.Should().BeGreaterThanOrEqualTo(Keys);
            writes.Queries.Should().BeLessThanOrEqualTo(writes.Ids * 3 / 4);
            Figures.Record(output, $"batched snapshot writes, {Keys} keys due at once: {writes.Ids} saves and deletes in {writes.Queries} transactions");
        }

        // One key's snapshot unreadable: snapshot-is-optional, so that key replays all its events instead.
        using (var snapshots = new SqliteConnection($"Data Source={SnapshotFile()};Pooling=false"))
        {
            snapshots.Open();
            using var poison = snapshots.CreateCommand();
            poison.CommandText = "UPDATE snapshot SET snapshot = X'00FF00' WHERE persistence_id = 'counter:kept-7'";
            poison.ExecuteNonQuery().Should().Be(1);
        }

        await using var again = await TestNode.StartAsync(_journal, hocon);
        var before = await StartedAsync(again);
        var totals = await Task.WhenAll(Enumerable.Range(0, Keys).Select(i =>
            again.Client.AskAsync<CounterValue>(new GetCounter(again.Client.NewRequestId(), $"kept-{i}"), Patience)));

        totals.Select(t => t.Total).Should().Equal(Enumerable.Range(0, Keys).Select(i => 7L * (i + 1)));
        var (_, snapshotReads) = Since(before, Reads(again));
        snapshotReads.Ids.Should().Be(Keys);
        snapshotReads.Queries.Should().BeLessThanOrEqualTo(Keys * 3 / 4);
        // Every key's events after its snapshot (and all seven of the poisoned one) in shared replays.
        var replays = RecoveryReads.Get(again.System).Of(RecoveryReads.Replays(SqliteDurability.JournalPlugin));
        replays.Ids.Should().Be(Keys);
        replays.Queries.Should().BeLessThanOrEqualTo(Keys * 3 / 4);
        Figures.Record(output, $"batched recovery, {Keys} keys with snapshots: {snapshotReads.Ids} ids in {snapshotReads.Queries} snapshot queries, " +
                               $"{replays.Ids} replays in {replays.Queries} queries");
    }

    /// <summary>
    /// One key recovered and written first, so the journal and snapshot store have started and the
    /// spec counts only its own keys' reads; the reads so far.
    /// </summary>
    private static async Task<(RecoveryReads.Counts Highest, RecoveryReads.Counts Snapshots)> StartedAsync(TestNode node)
    {
        await node.Client.AskAsync<CounterValue>(new AddToCounter(node.Client.NewRequestId(), "first", 1), Patience);
        return Reads(node);
    }

    private static (RecoveryReads.Counts Highest, RecoveryReads.Counts Snapshots) Since(
        (RecoveryReads.Counts Highest, RecoveryReads.Counts Snapshots) before, (RecoveryReads.Counts Highest, RecoveryReads.Counts Snapshots) now) =>
        (now.Highest with { Queries = now.Highest.Queries - before.Highest.Queries, Ids = now.Highest.Ids - before.Highest.Ids },
            now.Snapshots with { Queries = now.Snapshots.Queries - before.Snapshots.Queries, Ids = now.Snapshots.Ids - before.Snapshots.Ids });

    private static (RecoveryReads.Counts Highest, RecoveryReads.Counts Snapshots) Reads(TestNode node)
    {
        var reads = RecoveryReads.Get(node.System);
        return (reads.Of(SqliteDurability.JournalPlugin), reads.Of(SqliteDurability.SnapshotPlugin));
    }

    private string SnapshotFile() => TempJournal.SnapshotsOf(_journal);

    private long SnapshotCount()
    {
        using var connection = new SqliteConnection($"Data Source={SnapshotFile()};Pooling=false");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM snapshot";
        return (long)count.ExecuteScalar()!;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        TempJournal.Delete(_journal);
        return Task.CompletedTask;
    }
}
