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
/// The snapshot store writes a round of saves as one insert; a round that cannot (here a row
/// already where one save goes) is written one save at a time, so every other save in it stands.
/// </summary>
public sealed class BatchedSnapshotWriteSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Keys = 100;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _journal = TempJournal.NewPath();

    [Fact]
    public async Task A_round_holding_a_save_that_cannot_be_inserted_is_written_one_save_at_a_time_and_every_key_keeps_its_snapshot()
    {
        var hocon = $"akka.persistence.max-concurrent-recoveries = {Keys}\n" +
                    $"actors.entities.counter {{ snapshot-every = 5, snapshot-spread = 0, max-snapshots-in-flight = {Keys + 1} }}";
        await using var node = await TestNode.StartAsync(_journal, hocon);
        var keys = Enumerable.Range(0, Keys).Select(i => $"key-{i}").Append("clash").ToList();
        for (var add = 1; add <= 5; add++)
        {
            if (add == 5)
            {
                // Every key is live (recovered) and due at its next add: a row already where one save goes.
                Execute("INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot, manifest) " +
                        "VALUES ('counter:clash', 5, 0, X'00', 'planted')");
            }

            await Task.WhenAll(keys.Select(key =>
                node.Client.AskAsync<CounterValue>(new AddToCounter(node.Client.NewRequestId(), key, 1), Patience)));
        }

        await Eventually.UntilAsync(() => Scalar("SELECT COUNT(*) FROM snapshot WHERE manifest <> 'planted'") >= keys.Count, Patience,
            "every key's snapshot at 5 saved, the clashing one over the planted row");
        var writes = RecoveryReads.Get(node.System).Of(RecoveryReads.Writes(SqliteDurability.SnapshotPlugin));
        Figures.Record(output, $"batched snapshot writes with one clash, {keys.Count} keys: {writes.Ids} saves and deletes in {writes.Queries} rounds");
        writes.Queries.Should().BeLessThan(writes.Ids, "saves shared rounds");
    }

    private string SnapshotFile() => TempJournal.SnapshotsOf(_journal);

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={SnapshotFile()};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery().Should().Be(1);
    }

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={SnapshotFile()};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        TempJournal.Delete(_journal);
        return Task.CompletedTask;
    }
}
