using System.Net;
using System.Net.Sockets;
using Actors.Hosting;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;
using Akka.Remote.Transport;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Clustering;

/// <summary>
/// Several real nodes in this test process, each its own actor system on a loopback port, all on
/// one SQLite journal (as a cluster shares PostgreSQL). The first node is the TestKit's system and
/// the seed. The transport can cut a node off (blackhole) like a network partition.
/// </summary>
public abstract class ClusterSpec : Akka.TestKit.Xunit2.TestKit
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Quick decisions for tests: downing after 3 s of stable unreachability, rebalancing every second.</summary>
    private const string ClusterHocon = """
        akka.remote.dot-netty.tcp.applied-adapters = [trttl]
        akka.cluster.split-brain-resolver.stable-after = 3s
        akka.cluster.sharding.rebalance-interval = 1s
        akka.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit = 10
        akka.cluster.sharding.least-shard-allocation-strategy.rebalance-relative-limit = 0.5
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        actors.sharding.shards = 30
        actors.health.interval = 0
        """;

    private readonly string _journal;
    private readonly int _seedPort;
    private readonly Action<ActorsBuilder>? _configure;
    private readonly List<TestNode> _nodes = [];

    /// <param name="configure">Extra handlers and entity types, the same on every member.</param>
    protected ClusterSpec(ITestOutputHelper output, Action<ActorsBuilder>? configure = null)
        : this(output, TempJournal.NewPath(), FreePort(), configure)
    {
    }

    private ClusterSpec(ITestOutputHelper output, string journal, int seedPort, Action<ActorsBuilder>? configure)
        : this(output, journal, seedPort, configure,
            TestNode.StartAsync(journal, WithSeed(seedPort), configure, testKit: true, port: seedPort)
                .GetAwaiter().GetResult())
    {
    }

    private ClusterSpec(ITestOutputHelper output, string journal, int seedPort, Action<ActorsBuilder>? configure, TestNode first)
        : base(first.System, output)
    {
        _journal = journal;
        _seedPort = seedPort;
        _configure = configure;
        _nodes.Add(first);
    }

    // With the throttling adapter every address carries its scheme, so the seed is given in full.
    private static string WithSeed(int seedPort) =>
        $"akka.cluster.seed-nodes = [\"akka.trttl.tcp://{ActorsHostingExtensions.SystemName}@127.0.0.1:{seedPort}\"]\n{ClusterHocon}";

    /// <summary>The seed node (the TestKit's system).</summary>
    protected TestNode First => _nodes[0];

    /// <summary>Starts another member that joins through the seed.</summary>
    protected async Task<TestNode> JoinAsync()
    {
        var node = await TestNode.StartAsync(_journal, WithSeed(_seedPort), _configure, port: FreePort());
        _nodes.Add(node);
        return node;
    }

    /// <summary>Waits until every given node sees exactly these members, all Up.</summary>
    protected Task AwaitMembersUpAsync(params TestNode[] nodes) => AwaitAssertAsync(() =>
    {
        var expected = nodes.Select(n => Akka.Cluster.Cluster.Get(n.System).SelfAddress).ToHashSet();
        foreach (var node in nodes)
        {
            var state = Akka.Cluster.Cluster.Get(node.System).State;
            var up = state.Members.Where(m => m.Status == MemberStatus.Up).Select(m => m.Address).ToHashSet();
            if (!up.SetEquals(expected) || state.Members.Count != expected.Count || state.Unreachable.Count > 0)
            {
                throw new Xunit.Sdk.XunitException(
                    $"{Akka.Cluster.Cluster.Get(node.System).SelfAddress} sees {string.Join(", ", state.Members)}; unreachable {state.Unreachable.Count}");
            }
        }
    }, Patience, TimeSpan.FromMilliseconds(200));

    /// <summary>Shards of an entity type each member hosts, as the `status` verb reports them.</summary>
    protected async Task<Dictionary<string, int>> ShardsPerMemberAsync(TestNode via, string entityType = "counter")
    {
        var status = await via.Client.AskAsync<ClusterStatus>(new GetClusterStatus(via.Client.NewRequestId()));
        return status.Members.ToDictionary(m => m.Address,
            m => m.EntityTypes.FirstOrDefault(e => e.Name == entityType)?.Shards ?? 0);
    }

    /// <summary>Cuts <paramref name="node"/> off from every other member, both ways, like a partition.</summary>
    protected async Task BlackholeAsync(TestNode node)
    {
        var cutOff = Address(node);
        foreach (var other in _nodes.Where(n => n != node))
        {
            var transport = ((RemoteActorRefProvider)((ExtendedActorSystem)other.System).Provider).Transport;
            var done = await transport.ManagementCommand(new SetThrottle(cutOff, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance));
            Assert.True(done, $"blackholing {cutOff} from {Address(other)}");
        }
    }

    protected static Address Address(TestNode node) => Akka.Cluster.Cluster.Get(node.System).SelfAddress;

    protected static int FreePort() => Actors.TestSupport.Ports.Free();

    protected override void AfterAll()
    {
        foreach (var node in _nodes.Skip(1))
        {
            node.DisposeAsync().AsTask().Wait(Patience);
        }

        base.AfterAll();
        First.DisposeAsync().AsTask().Wait(Patience);
        TempJournal.Delete(_journal);
    }
}
