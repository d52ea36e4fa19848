using System.Collections.Concurrent;
using System.Diagnostics;
using Actors.Client;
using Actors.ClusterTests.Support;
using Actors.Hosting;
using Actors.Protocol;
using Actors.TestSupport;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.ClusterTests;

/// <summary>
/// Three real Host processes on one PostgreSQL journal, a client adding to 1,000 counters
/// throughout and recording every acknowledged add; then a node is killed (kill -9), leaves
/// (SIGTERM), or all three are restarted one by one. Each test prints its figures; the kill -9
/// one prints how long until every key served again with the default failover settings.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresClusterSpecs(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    // Failure detection and downing as node.conf sets them (the kill -9 figure is with the
    // defaults); a joining node gets its shards sooner than production's 10 s rebalance interval.
    private const string TestHocon = """
        akka.cluster.sharding.rebalance-interval = 2s
        actors.health.interval = 5s
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "actors-pg-cluster", Guid.NewGuid().ToString("N"));
    private readonly int[] _ports = [HostProcess.FreePort(), HostProcess.FreePort(), HostProcess.FreePort()];
    private readonly HostProcess?[] _nodes = new HostProcess?[3];
    private readonly List<HostProcess> _all = [];
    private string _connection = "";
    private ActorsClient _client = null!;

    private readonly int[] _clusterPorts = [HostProcess.FreePort(), HostProcess.FreePort(), HostProcess.FreePort()];
    private string[] Contacts => _ports.Select(p => $"127.0.0.1:{p}").ToArray();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(Path.Combine(_folder, "test.conf"), TestHocon);
        _connection = await postgres.CreateDatabaseAsync();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                Start(i);
            }

            await Task.WhenAll(_nodes.Select(n => n!.WaitForLineAsync("Actors node up", Patience)));
            _client = ActorsClient.Connect(Contacts);
            await AwaitMembersUpAsync(3);
        }
        catch
        {
            // xunit does not dispose a spec whose set-up failed: its node processes would outlive the run.
            await DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task Kill_9_of_a_node_under_load_loses_no_acknowledged_write_and_its_keys_come_back_on_the_survivors()
    {
        var load = new CounterLoad(_client, 1000);
        load.Start(writers: 32);
        await load.AwaitAcknowledgedAsync(3000, Patience);

        var killed = Stopwatch.StartNew();
        _nodes[2]!.KillHard();
        output.WriteLine($"kill -9 {_nodes[2]!.Pid} (node 3) after {load.Acknowledged} acknowledged adds");
        var serving = await EveryKeyServesAsync(load.Keys, killed);
        await AwaitMembersUpAsync(2);
        await load.AwaitAcknowledgedAsync(load.Acknowledged + 2000, Patience);
        await load.StopAsync();

        var lost = await load.VerifyAsync();
        Figures.Record(output, $"cluster on PostgreSQL, kill -9 of 1 of 3 nodes under load: every key serving again {serving.TotalSeconds:F1} s after the kill; " +
                         $"requests answered {load.Acknowledged + load.Failed}; acknowledged writes {load.Acknowledged}; failed {load.Failed} ({load.FailuresByCode}); writes lost {lost}");
        lost.Should().Be(0);
    }

    [Fact]
    public async Task A_graceful_leave_under_load_fails_no_request()
    {
        var load = new CounterLoad(_client, 1000);
        load.Start(writers: 32);
        await load.AwaitAcknowledgedAsync(3000, Patience);

        var leaving = Stopwatch.StartNew();
        _nodes[2]!.Terminate();
        await _nodes[2]!.WaitForExitAsync(Patience);
        _nodes[2]!.ExitCode.Should().Be(0);
        var left = leaving.Elapsed;
        await AwaitMembersUpAsync(2);
        await load.AwaitAcknowledgedAsync(load.Acknowledged + 2000, Patience);
        await load.StopAsync();

        var lost = await load.VerifyAsync();
        Figures.Record(output, $"cluster on PostgreSQL, graceful leave (SIGTERM) of 1 of 3 under load: node 3 exited {left.TotalSeconds:F1} s after SIGTERM; requests answered {load.Acknowledged + load.Failed}; " +
                         $"acknowledged writes {load.Acknowledged}; failed {load.Failed} ({load.FailuresByCode}); writes lost {lost}");
        load.Failures.Should().BeEmpty("a graceful leave hands off without failing a request");
        lost.Should().Be(0);
    }

    [Fact]
    public async Task A_rolling_restart_of_all_three_under_load_loses_no_acknowledged_write()
    {
        var load = new CounterLoad(_client, 1000);
        load.Start(writers: 32);
        await load.AwaitAcknowledgedAsync(2000, Patience);

        var rolling = Stopwatch.StartNew();
        for (var i = 0; i < 3; i++)
        {
            _nodes[i]!.Terminate();
            await _nodes[i]!.WaitForExitAsync(Patience);
            _nodes[i]!.ExitCode.Should().Be(0);
            await AwaitMembersUpAsync(2);
            Start(i);
            await _nodes[i]!.WaitForLineAsync("Actors node up", Patience);
            await AwaitMembersUpAsync(3);
            await load.AwaitAcknowledgedAsync(load.Acknowledged + 1000, Patience);
        }

        await load.StopAsync();
        var lost = await load.VerifyAsync();
        Figures.Record(output, $"cluster on PostgreSQL, rolling restart under load: 3 nodes restarted in {rolling.Elapsed.TotalSeconds:F1} s; requests answered {load.Acknowledged + load.Failed}; " +
                         $"acknowledged writes {load.Acknowledged}; failed {load.Failed} ({load.FailuresByCode}); slowest call {load.Slowest.TotalSeconds:F1} s; writes lost {lost}");
        load.Failures.Should().BeEmpty("each member drains, hands off and rejoins while the others serve");
        lost.Should().Be(0);
        // A call that met a stopping node waits at most the client's attempt timeout (5 s) before its retry.
        load.Slowest.Should().BeLessThanOrEqualTo(TimeSpan.FromSeconds(10), "no call waits on a restart phase");
    }

    private void Start(int i)
    {
        string[] args =
        [
            "node", "--port", _ports[i].ToString(), "--cluster-port", _clusterPorts[i].ToString(),
            "--db", "postgres", "--config", Path.Combine(_folder, "test.conf"),
            .. _clusterPorts.SelectMany(p => new[] { "--seed", $"127.0.0.1:{p}" }),
        ];
        var node = HostProcess.Start(output, $"node-{i + 1}",
            new Dictionary<string, string> { [NodeOptions.ConnectionVariable] = _connection }, args);
        _nodes[i] = node;
        _all.Add(node);
    }

    /// <summary>Waits until the cluster, as any live node reports it, is exactly this many members, all Up.</summary>
    private async Task AwaitMembersUpAsync(int count)
    {
        var until = Stopwatch.StartNew();
        string last = "";
        while (until.Elapsed < Patience)
        {
            if (await _client.SendAsync(new GetClusterStatus(_client.NewRequestId()), TimeSpan.FromSeconds(10)) is ClusterStatus status)
            {
                last = string.Join(", ", status.Members.Select(m => $"{m.Address} {m.Status}"));
                if (status.Members.Length == count && status.Members.All(m => m.Status == "Up"))
                {
                    return;
                }
            }

            await Task.Delay(PollInterval);
        }

        throw new TimeoutException($"cluster did not settle at {count} members Up within {Patience}; last seen: {last}");
    }

    /// <summary>
    /// Reads every key until each has answered once, at most 200 reads at a time, a key read
    /// again as soon as it was refused or timed out; returns when the last key answered, from
    /// <paramref name="since"/>.
    /// </summary>
    private async Task<TimeSpan> EveryKeyServesAsync(IReadOnlyList<string> keys, Stopwatch since)
    {
        using var window = new SemaphoreSlim(200);
        var refusals = new ConcurrentDictionary<string, int>();
        var answered = await Task.WhenAll(keys.Select(async key =>
        {
            while (since.Elapsed < Patience)
            {
                await window.WaitAsync();
                IReply reply;
                try
                {
                    reply = await _client.SendAsync(new GetCounter(_client.NewRequestId(), key), TimeSpan.FromSeconds(3));
                }
                finally
                {
                    window.Release();
                }

                if (reply is CounterValue)
                {
                    return since.Elapsed;
                }

                refusals.AddOrUpdate($"{(reply is ErrorReply e ? e.Code.ToString() : reply.GetType().Name)}@{(int)since.Elapsed.TotalSeconds}", 1, (_, n) => n + 1);

                // Refused while the keys move: wait what the node asks, briefly, so the figure stays precise.
                if (reply is ErrorReply { RetryAfter: { } retryAfter })
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(retryAfter.TotalMilliseconds, 250)));
                }
            }

            throw new TimeoutException($"key {key} still not serving {Patience} after the kill");
        }));
        var sorted = answered.Order().ToArray();
        output.WriteLine($"keys answered after the kill: p50 {sorted[sorted.Length / 2].TotalSeconds:F1} s, p90 {sorted[sorted.Length * 9 / 10].TotalSeconds:F1} s, " +
            $"last {sorted[^1].TotalSeconds:F1} s; reads not answered, by reply and second: " +
            string.Join(", ", refusals.OrderBy(r => r.Key).Select(r => $"{r.Key} {r.Value}")));
        return answered.Max();
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        foreach (var node in _all)
        {
            try
            {
                node.Terminate();
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the signal.
            }
        }

        foreach (var node in _all)
        {
            try
            {
                await node.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }
            catch (OperationCanceledException)
            {
                // Dispose kills what did not stop.
            }
            finally
            {
                node.Dispose();
            }
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <summary>
    /// Writers adding 1 to random counters. Records, per key, the adds acknowledged and the adds
    /// that failed (those may or may not have been applied).
    /// </summary>
    private sealed class CounterLoad(ActorsClient client, int keyCount)
    {
        private readonly ConcurrentDictionary<string, (int Acknowledged, int Failed)> _perKey = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _writers = [];
        private long _acknowledged;
        private long _slowestMs;

        public IReadOnlyList<string> Keys { get; } = Enumerable.Range(0, keyCount).Select(i => $"load-{i}").ToList();
        public long Acknowledged => Interlocked.Read(ref _acknowledged);
        public ConcurrentQueue<string> Failures { get; } = new();
        public int Failed => Failures.Count;

        /// <summary>The longest any one add took, from the call to its answer (retries included).</summary>
        public TimeSpan Slowest => TimeSpan.FromMilliseconds(Interlocked.Read(ref _slowestMs));

        /// <summary>Failures by error code, e.g. "Timeout 3, Unavailable 2", or "none".</summary>
        public string FailuresByCode => Failures.IsEmpty
            ? "none"
            : string.Join(", ", Failures.GroupBy(f => f).Select(g => $"{g.Key} {g.Count()}"));

        public void Start(int writers)
        {
            for (var i = 0; i < writers; i++)
            {
                _writers.Add(Task.Run(WriteAsync));
            }
        }

        public async Task AwaitAcknowledgedAsync(long count, TimeSpan within)
        {
            var until = Stopwatch.StartNew();
            while (Acknowledged < count)
            {
                if (until.Elapsed > within)
                {
                    throw new TimeoutException($"only {Acknowledged} of {count} adds acknowledged within {within}; failures: {Failed}");
                }

                await Task.Delay(PollInterval);
            }
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_writers);
        }

        /// <summary>
        /// Reads every counter back: it must hold at least its acknowledged adds (none lost) and at
        /// most those plus its failed ones (no add counted twice). Returns the acknowledged adds lost.
        /// </summary>
        public async Task<long> VerifyAsync()
        {
            long lost = 0;
            var totals = await client.MapAsync(Keys.Select(k => new GetCounter(client.NewRequestId(), k)), window: 200);
            for (var i = 0; i < Keys.Count; i++)
            {
                var (acknowledged, failed) = _perKey.GetValueOrDefault(Keys[i]);
                var total = totals[i].Should().BeOfType<CounterValue>().Subject.Total;
                total.Should().BeLessThanOrEqualTo(acknowledged + failed, $"{Keys[i]}: no add is applied twice");
                lost += Math.Max(0, acknowledged - total);
            }

            return lost;
        }

        private async Task WriteAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var key = Keys[Random.Shared.Next(Keys.Count)];
                var started = Environment.TickCount64;
                var reply = await client.SendAsync(new AddToCounter(client.NewRequestId(), key, 1), TimeSpan.FromSeconds(60));
                var took = Environment.TickCount64 - started;
                for (var seen = Interlocked.Read(ref _slowestMs); took > seen; seen = Interlocked.Read(ref _slowestMs))
                {
                    Interlocked.CompareExchange(ref _slowestMs, took, seen);
                }

                if (reply is CounterValue)
                {
                    Interlocked.Increment(ref _acknowledged);
                    _perKey.AddOrUpdate(key, (1, 0), (_, n) => (n.Acknowledged + 1, n.Failed));
                }
                else
                {
                    Failures.Enqueue(reply is ErrorReply error ? error.Code.ToString() : reply.GetType().Name);
                    _perKey.AddOrUpdate(key, (0, 1), (_, n) => (n.Acknowledged, n.Failed + 1));
                }
            }
        }
    }
}
