using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Actors.Hosting;
using Actors.Protocol;
using Actors.Telemetry;
using Actors.Tests.Support;
using Akka.Persistence.Sql.Config;
using FluentAssertions;
using LinqToDB.Data;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Entities;

/// <summary>
/// An acknowledged write is fsynced: the SQLite journal's and snapshot store's own connections
/// are opened through options that set synchronous = FULL and read it back. Writes from many
/// entities share those fsyncs: they commit together (group commit), counted by SQLite's commit hook
/// and by the Meter's rows-per-transaction histogram. That histogram is process-wide and tagged by
/// plugin id, which every node spec shares, so this spec runs alone.
/// </summary>
[Collection(Alone.Name)]
public sealed class JournalDurabilitySpecs : NodeSpec
{
    private readonly ITestOutputHelper _output;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<long> _transactionRows = new();

    public JournalDurabilitySpecs(ITestOutputHelper output)
        // A fixed admission bound: all 1,000 writes below are admitted at once, none refused while a limit adapts.
        : base(output, "actors.admission.adaptive.enabled = off")
    {
        _output = output;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument, ActorsMetrics.JournalTransactionRows))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, rows, _, _) => _transactionRows.Enqueue(rows));
        _listener.Start();
    }

    [Fact]
    public async Task A_thousand_concurrent_writes_to_a_thousand_keys_commit_in_at_most_one_transaction_per_ten()
    {
        var keys = Enumerable.Range(0, 1000).Select(i => $"group-{i}").ToList();
        // Every key's entity started first (its recovery reads), so the writes arrive together.
        await Task.WhenAll(keys.Select(k => Expect<CounterValue>(new GetCounter(Id(), k))));
        var durability = Sys.Settings.Setup.Get<SqliteDurability>().Value;
        var before = durability.Commits(SqliteDurability.JournalPlugin);
        _transactionRows.Clear();

        var replies = await Task.WhenAll(keys.Select(k => Send(new AddToCounter(Id(), k, 1))));

        var commits = durability.Commits(SqliteDurability.JournalPlugin) - before;
        // Each transaction is recorded before its writes are answered: all 1,000 rows are on the Meter now.
        var metered = _transactionRows.ToList();
        _output.WriteLine($"1,000 writes to 1,000 keys: {commits} journal commits ({1000.0 / Math.Max(1, commits):0.0} writes per commit); " +
                          $"the histogram: {metered.Sum()} rows in {metered.Count} transactions");
        replies.Should().AllBeOfType<CounterValue>().And.AllSatisfy(r => ((CounterValue)r).Total.Should().Be(1));
        commits.Should().BeInRange(1, 100, "writes from many entities share a transaction (and its fsync)");
        metered.Sum().Should().Be(1000, "the writer's histogram records every row it commits, once");
        metered.Should().HaveCountLessThanOrEqualTo(100, "the histogram records one value per transaction");
    }

    [Fact]
    public async Task The_journals_own_connections_run_with_synchronous_full()
    {
        await Expect<CounterValue>(new AddToCounter(Id(), "durable", 1));
        var durability = Sys.Settings.Setup.Get<SqliteDurability>().Value;
        var checkedByTheJournal = durability.ConnectionsChecked(SqliteDurability.JournalPlugin);
        checkedByTheJournal.Should().BeGreaterThan(0, "the write above went through connections opened with these options");

        Sys.Settings.Setup.Get<MultiDataOptionsSetup>().Value.TryGetDataOptionsFor(SqliteDurability.JournalPlugin, out var options)
            .Should().BeTrue("the journal plugin takes its connections from these options");
        using var connection = new DataConnection(options!);
        var synchronous = connection.Execute<long>("PRAGMA synchronous");

        synchronous.Should().Be(SqliteDurability.Full);
        durability.Commits(SqliteDurability.JournalPlugin).Should().BeGreaterThan(0, "SQLite's commit hook counts the journal's transactions");
        durability.ConnectionsRelaxed(SqliteDurability.JournalPlugin).Should().Be(0, "lose-recent-writes-on-power-loss is off by default");
    }

    protected override void AfterAll()
    {
        _listener.Dispose();
        base.AfterAll();
    }
}

/// <summary>
/// lose-recent-writes-on-power-loss = on: the journal writer's own connection runs with
/// synchronous = NORMAL (read back), and only it; the plugin's other connections stay FULL.
/// (That a process crash still loses nothing: HostProcessSpecs' kill -9, run with it on too.)
/// </summary>
public sealed class RelaxedJournalDurabilitySpecs(ITestOutputHelper output)
    : NodeSpec(output, "akka.persistence.journal.sql.lose-recent-writes-on-power-loss = on")
{
    [Fact]
    public async Task The_journal_writers_connection_runs_with_synchronous_normal_and_the_others_stay_full()
    {
        await Expect<CounterValue>(new AddToCounter(Id(), "relaxed", 1));
        var durability = Sys.Settings.Setup.Get<SqliteDurability>().Value;

        durability.ConnectionsRelaxed(SqliteDurability.JournalPlugin).Should().Be(1, "the writer's one connection, kept open");
        durability.Commits(SqliteDurability.JournalPlugin).Should().BeGreaterThan(0);
        Sys.Settings.Setup.Get<MultiDataOptionsSetup>().Value.TryGetDataOptionsFor(SqliteDurability.JournalPlugin, out var options)
            .Should().BeTrue();
        using var other = new DataConnection(options!);
        other.Execute<long>("PRAGMA synchronous").Should().Be(SqliteDurability.Full, "a connection the writer does not hold");
        (await Expect<CounterValue>(new GetCounter(Id(), "relaxed"))).Total.Should().Be(1);
    }
}
