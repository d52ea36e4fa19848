using Actors.ClusterTests.Support;
using Actors.Client;
using Actors.Protocol;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.ClusterTests;

/// <summary>The real node process: started, messaged from this test's actor system, stopped by SIGTERM, started again.</summary>
public sealed class HostProcessSpecs(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "actors-host-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Totals_acknowledged_before_SIGTERM_read_back_after_the_node_is_started_again()
    {
        var port = HostProcess.FreePort();
        var contact = $"127.0.0.1:{port}";
        string[] nodeArgs = ["node", "--port", port.ToString(), "--cluster-port", HostProcess.FreePort().ToString(), "--db", $"sqlite:{Path.Combine(_data, "actors.db")}"];
        var acknowledged = new Dictionary<string, long>();

        using (var node = HostProcess.Start(output, "node-1", nodeArgs))
        {
            await node.WaitForLineAsync("Actors node up", StartTimeout);
            await using (var client = ActorsClient.Connect([contact]))
            {
                // Concurrent adds over a few keys; every acknowledged total is recorded.
                var adds = Enumerable.Range(0, 200)
                    .Select(i => client.AskAsync<CounterValue>(new AddToCounter(client.NewRequestId(), $"key-{i % 5}", i + 1)));
                foreach (var reply in await Task.WhenAll(adds))
                {
                    acknowledged[reply.Key] = Math.Max(acknowledged.GetValueOrDefault(reply.Key), reply.Total);
                }
            }

            node.Terminate();
            await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
            node.ExitCode.Should().Be(0, "SIGTERM is a graceful stop");
        }

        acknowledged.Values.Sum().Should().Be(Enumerable.Range(1, 200).Sum());
        using var again = HostProcess.Start(output, "node-2", nodeArgs);
        await again.WaitForLineAsync("Actors node up", StartTimeout);
        await using (var client = ActorsClient.Connect([contact]))
        {
            foreach (var (key, total) in acknowledged)
            {
                (await client.AskAsync<CounterValue>(new GetCounter(client.NewRequestId(), key))).Total.Should().Be(total);
            }
        }

        // The `send` verb, as a user runs it from another shell.
        var (code, get) = await HostProcess.RunAsync(output, "send", StartTimeout, "send", "counter", "get", "key-0", "--contact", contact);
        code.Should().Be(0);
        get.Stdout.Should().Contain(l => l.StartsWith($"counter key-0 = {acknowledged["key-0"]} ", StringComparison.Ordinal));

        (code, var pi) = await HostProcess.RunAsync(output, "send", StartTimeout, "send", "pi", "--samples", "200000", "--contact", contact);
        code.Should().Be(0);
        pi.Stdout.Should().Contain(l => l.StartsWith("pi ≈ 3.1", StringComparison.Ordinal));

        (code, var bad) = await HostProcess.RunAsync(output, "send", StartTimeout, "send", "pi", "--samples", "0", "--contact", contact);
        code.Should().Be(2);
        bad.Stderr.Should().Contain(l => l.Contains("InvalidRequest", StringComparison.Ordinal));

        again.Terminate();
        await again.WaitForExitAsync(TimeSpan.FromSeconds(60));
        again.ExitCode.Should().Be(0);

        // Three `send` processes and a client came and went: a normal exit costs the node no warning or error.
        var log = again.Stdout.Concat(again.Stderr).ToList();
        log.Should().NotContain(l => (l.Contains(" warn: ", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal)) &&
                                     (l.Contains("Disassociated", StringComparison.Ordinal) || l.Contains("Association with remote system", StringComparison.Ordinal)));
        // One timestamp per line: the console's, not Akka's own again (Akka's last line, after its loggers stop, has only its own).
        log.Should().NotContain(l => char.IsDigit(l.FirstOrDefault()) && l.Contains("][Thread ", StringComparison.Ordinal));
    }

    /// <param name="relaxed">lose-recent-writes-on-power-loss: on, commits are not fsynced, and a process crash still loses nothing.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_add_acknowledged_before_a_kill_9_under_write_load_reads_back_after_restart(bool relaxed)
    {
        var port = HostProcess.FreePort();
        var contact = $"127.0.0.1:{port}";
        Directory.CreateDirectory(_data);
        var config = Path.Combine(_data, "test.conf");
        await File.WriteAllTextAsync(config, $"akka.persistence.journal.sql.lose-recent-writes-on-power-loss = {(relaxed ? "on" : "off")}");
        string[] nodeArgs = ["node", "--port", port.ToString(), "--cluster-port", HostProcess.FreePort().ToString(),
            "--db", $"sqlite:{Path.Combine(_data, "actors.db")}", "--config", config];
        const int keys = 200;
        // Per key: the highest total an add was acknowledged with (each add is +1) and the adds sent.
        var acknowledged = new long[keys];
        var sent = new long[keys];
        using (var node = HostProcess.Start(output, "node-1", nodeArgs))
        {
            await node.WaitForLineAsync("Actors node up", StartTimeout);
            await using var client = ActorsClient.Connect([contact]);
            using var stop = new CancellationTokenSource();
            var callers = Enumerable.Range(0, 100).Select(c => Task.Run(async () =>
            {
                for (var i = c; !stop.IsCancellationRequested; i += 100)
                {
                    var key = i % keys;
                    Interlocked.Increment(ref sent[key]);
                    // Short: calls in flight at the kill end soon, unacknowledged.
                    if (await client.SendAsync(new AddToCounter(client.NewRequestId(), $"crash-{key}", 1), TimeSpan.FromSeconds(3)) is CounterValue value)
                    {
                        InterlockedMax(ref acknowledged[key], value.Total);
                    }
                }
            })).ToList();

            await WaitUntilAsync(() => acknowledged.Sum() >= 3000, TimeSpan.FromSeconds(60));
            node.KillHard();
            await stop.CancelAsync();
            await Task.WhenAll(callers);
        }

        using var again = HostProcess.Start(output, "node-2", nodeArgs);
        await again.WaitForLineAsync("Actors node up", StartTimeout);
        await using (var client = ActorsClient.Connect([contact]))
        {
            var totals = await Task.WhenAll(Enumerable.Range(0, keys)
                .Select(k => client.AskAsync<CounterValue>(new GetCounter(client.NewRequestId(), $"crash-{k}"))));
            var lost = totals.Select((t, k) => Math.Max(0, acknowledged[k] - t.Total)).Sum();
            Actors.TestSupport.Figures.Record(output, $"kill -9 of a SQLite node under write load{(relaxed ? " (lose-recent-writes-on-power-loss = on)" : "")}: {acknowledged.Sum()} adds acknowledged " +
                                                      $"(by highest total per key), {sent.Sum()} sent; after restart, acknowledged adds lost: {lost}");
            lost.Should().Be(0, "a reply is sent only after its write is committed");
            totals.Select((t, k) => t.Total <= sent[k]).Should().AllBeEquivalentTo(true, "nothing is applied that was not sent");
        }

        again.Terminate();
        await again.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value > seen; seen = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            waited.Elapsed.Should().BeLessThan(limit, "the load should get going");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
