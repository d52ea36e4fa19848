using Actors.Client;
using Actors.ClusterTests.Support;
using Actors.Hosting;
using Actors.Protocol;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.ClusterTests;

/// <summary>
/// On PostgreSQL, writes from many entities share a transaction (group commit), counted by the
/// server itself (the transaction ids it assigned) and by the node's rows-per-transaction histogram
/// (scraped from its metrics port) around 1,000 concurrent writes to 1,000 keys, and a write is
/// answered only once its transaction has committed. The server is the spec's own, with fsync on,
/// so a commit costs what it costs in production.
/// </summary>
public sealed class PostgresGroupCommitSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly PostgresServer _server = PostgresServer.Own(fsync: true);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "actors-pg-group", Guid.NewGuid().ToString("N"));
    private readonly int _metricsPort = HostProcess.FreePort();
    private HostProcess? _node;
    private ActorsClient? _client;
    private string _connection = "";

    public async Task InitializeAsync()
    {
        try
        {
            await _server.InitializeAsync();
            Directory.CreateDirectory(_folder);
            var config = Path.Combine(_folder, "test.conf");
            // A fixed admission bound: all 1,000 writes are admitted at once, none refused while a limit adapts.
            await File.WriteAllTextAsync(config, "actors.admission.adaptive.enabled = off");
            _connection = await _server.CreateDatabaseAsync();
            var port = HostProcess.FreePort();
            _node = HostProcess.Start(output, "node", new Dictionary<string, string> { [NodeOptions.ConnectionVariable] = _connection },
                "node", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--cluster-port",
                HostProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--db", "postgres", "--config", config,
                "--metrics-port", _metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await _node.WaitForLineAsync("Actors node up", Patience);
            _client = ActorsClient.Connect([$"127.0.0.1:{port}"]);
        }
        catch
        {
            // xunit does not dispose a spec whose set-up failed: its server and node would outlive the run.
            await DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task A_thousand_concurrent_writes_to_a_thousand_keys_commit_in_at_most_one_transaction_per_ten()
    {
        var client = _client!;
        var keys = await StartedKeysAsync("group", 1000);
        var before = await _server.NextWritingTransactionAsync();
        var meteredBefore = await WriterTransactionsAsync();

        var replies = await Task.WhenAll(keys.Select(k => client.SendAsync(new AddToCounter(client.NewRequestId(), k, 1), TimeSpan.FromSeconds(60))));

        var transactions = await _server.NextWritingTransactionAsync() - before;
        var rows = await JournalRowsAsync("counter:group-%");
        // Every answer follows its transaction's record, but a scrape may be served from a moment before.
        var metered = await Actors.TestSupport.Eventually.UntilAsync(WriterTransactionsAsync,
            m => m.Rows - meteredBefore.Rows >= 1000, Patience, "the histogram's record of 1,000 rows");
        var (meteredTransactions, meteredRows) = (metered.Transactions - meteredBefore.Transactions, metered.Rows - meteredBefore.Rows);
        output.WriteLine($"1,000 writes to 1,000 keys: {transactions} writing transactions ({1000.0 / Math.Max(1, transactions):0.0} writes per transaction), " +
                         $"{rows} journal rows; the node's histogram: {meteredRows} rows in {meteredTransactions} transactions");
        replies.Should().AllBeOfType<CounterValue>().And.AllSatisfy(r => ((CounterValue)r).Total.Should().Be(1));
        rows.Should().Be(1000, "every acknowledged write is one journal row");
        transactions.Should().BeInRange(1, 100, "writes from many entities share a transaction (and its fsync)");
        meteredRows.Should().Be(1000, "the writer's histogram records every row it commits, once");
        meteredTransactions.Should().BeInRange(1, 100, "the histogram records one value per transaction");
    }

    [Fact]
    public async Task A_write_is_answered_only_after_its_transaction_commits()
    {
        var client = _client!;
        var keys = await StartedKeysAsync("held", 100);

        // SHARE conflicts with the writer's inserts and with nothing the entities read: the writer's
        // transaction waits in the middle, where a commit is not yet durable.
        await using var holder = new Npgsql.NpgsqlConnection(_connection);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockJournal = new Npgsql.NpgsqlCommand("LOCK TABLE journal IN SHARE MODE", holder, hold))
        {
            await lockJournal.ExecuteNonQueryAsync();
        }

        var replies = keys.Select(k => client.SendAsync(new AddToCounter(client.NewRequestId(), k, 1), TimeSpan.FromSeconds(60))).ToList();
        await FluentActions.Awaiting(() => Task.WhenAny(replies)).Should().NotCompleteWithinAsync(TimeSpan.FromSeconds(2), "no write is answered before its commit");
        (await JournalRowsAsync("counter:held-%")).Should().Be(0);

        await hold.RollbackAsync();
        (await Task.WhenAll(replies).WaitAsync(Patience)).Should().AllBeOfType<CounterValue>().And.AllSatisfy(r => ((CounterValue)r).Total.Should().Be(1));
        (await JournalRowsAsync("counter:held-%")).Should().Be(100, "every answered write is a committed row");
    }

    /// <summary>Keys whose entities are started (their recovery reads done), so writes to them arrive together.</summary>
    private async Task<List<string>> StartedKeysAsync(string prefix, int count)
    {
        var client = _client!;
        var keys = Enumerable.Range(0, count).Select(i => $"{prefix}-{i}").ToList();
        var started = await client.MapAsync(keys.Select(k => new GetCounter(client.NewRequestId(), k)), window: count);
        started.Should().AllBeOfType<CounterValue>();
        return keys;
    }

    /// <summary>The journal writer's transactions and rows so far, from the histogram's count and sum.</summary>
    private async Task<(double Transactions, double Rows)> WriterTransactionsAsync()
    {
        var samples = await PrometheusText.ScrapeAsync(_metricsPort);
        return (samples.Where(s => s.Name == "actors_journal_transaction_rows_count").Sum(s => s.Value),
            samples.Where(s => s.Name == "actors_journal_transaction_rows_sum").Sum(s => s.Value));
    }

    private async Task<long> JournalRowsAsync(string persistenceIds)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_connection);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM journal WHERE persistence_id LIKE @ids", connection);
        count.Parameters.AddWithValue("ids", persistenceIds);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        _node?.Dispose();
        await _server.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
