using Actors.ClusterTests.Support;
using Actors.Gateway;
using Actors.Protocol;
using Actors.TestSupport;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.ClusterTests;

/// <summary>
/// A real node process under a hostile client's traffic: a batch nested 20,000 deep, forged
/// drains and replies, JSON with type names, junk. The node keeps serving, its memory stays
/// put and its log grows by a few lines, not one per offence.
/// </summary>
public sealed class HostileHostSpecs : TestKit
{
    private readonly ITestOutputHelper _output;

    public HostileHostSpecs(ITestOutputHelper output) : base(output: output) => _output = output;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private const int Each = 200;
    private readonly string _data = Path.Combine(Path.GetTempPath(), "actors-hostile-host", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_node_process_survives_hostile_traffic_serves_honest_requests_and_logs_a_few_lines()
    {
        var (port, clusterPort) = (HostProcess.FreePort(), HostProcess.FreePort());
        using var node = HostProcess.Start(_output, "node", "node", "--port", port.ToString(), "--cluster-port", clusterPort.ToString(),
            "--db", $"sqlite:{Path.Combine(_data, "a.db")}");
        await node.WaitForLineAsync("Actors node up", StartTimeout);
        var attacker = Attacker.Create();
        var probe = CreateTestProbe(attacker);
        var gateway = attacker.ActorSelection($"akka.tcp://actors@127.0.0.1:{port}/user/gateway");
        gateway.Tell(new GetCounter("before", "k"), probe.Ref);
        probe.ExpectMsg<CounterValue>(TimeSpan.FromSeconds(30));
        var (linesBefore, bytesBefore) = (node.Stdout.Count + node.Stderr.Count, LogBytes(node));
        var rssBefore = PeakRssKb(node.Pid);

        // Batches nested thousands deep: MessagePack to the client port, Hyperion to the cluster port;
        // and frames whose length fields ask for 2 GB (which made a node allocate 1.4 GB before).
        var bomb = new RawClientFrame(Attacker.NestedClientBatch(15_000));
        var hyperionBomb = new RawFrame(Attacker.NestedBatchBytes(attacker, 20_000));
        var clusterGateway = attacker.ActorSelection($"akka.tcp://actors@127.0.0.1:{clusterPort}/user/gateway");
        var liar = new RawClientFrame(Attacker.GetCounterWithHugeLength());
        for (var i = 0; i < Each; i++)
        {
            gateway.Tell(new DrainGateway(TimeSpan.FromSeconds(1)), probe.Ref);
            gateway.Tell(new Dictionary<string, object> { ["v"] = new Version(1, i) }, probe.Ref);
            gateway.Tell(new RoutedReply(Guid.NewGuid(), new CounterValue("before", "k", 1_000_000)), probe.Ref);
            gateway.Tell($"junk-{i}", probe.Ref);
            if (i % 20 == 0)
            {
                gateway.Tell(bomb, probe.Ref);
                gateway.Tell(liar, probe.Ref);
                clusterGateway.Tell(hyperionBomb, probe.Ref);
            }
        }

        // Sent after all of it on the same connection, so answered after all of it was handled.
        gateway.Tell(new AddToCounter("after", "k", 1), probe.Ref);
        probe.ExpectMsg<IReply>(TimeSpan.FromSeconds(30)).Should().Be(new CounterValue("after", "k", 1));

        var lines = node.Stdout.Count + node.Stderr.Count - linesBefore;
        var bytes = LogBytes(node) - bytesBefore;
        var rss = PeakRssKb(node.Pid);
        Figures.Record(_output, $"hostile traffic against a node process ({Each} each of drain, JSON dictionary, forged reply, junk; " +
                               $"{Each / 20} each of batches nested 15,000 deep ({bomb.Bytes.Length} bytes), 20,000 deep in Hyperion to the cluster port " +
                               $"({hyperionBomb.Bytes.Length} bytes), GetCounters whose length field says 2 GB): node log +{lines} lines, +{bytes} bytes; " +
                               $"peak RSS {rssBefore / 1024} MB before, {rss / 1024} MB after");
        lines.Should().BeLessThan(20, "each kind of offence costs a line per interval, not a line each");
        (rss - rssBefore).Should().BeLessThan(128 * 1024, "no frame makes the node allocate what its length fields claim");
        node.HasExited.Should().BeFalse();
        await attacker.Terminate();
        node.Terminate();
        await node.WaitForExitAsync(StartTimeout);
    }

    private static long LogBytes(HostProcess node) => node.Stdout.Concat(node.Stderr).Sum(l => (long)l.Length + 1);

    /// <summary>The process's peak resident set (VmHWM, kB), from /proc.</summary>
    private static long PeakRssKb(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).Single();

    protected override void AfterAll()
    {
        base.AfterAll();
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
