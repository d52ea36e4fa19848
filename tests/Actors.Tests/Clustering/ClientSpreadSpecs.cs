using Actors.Client;
using Actors.Gateway;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Clustering;

/// <summary>
/// A remote client given one contact learns every member's gateway endpoint and where each shard
/// lives, and sends each key's requests to the member hosting it: one client's load is admitted by
/// every member, and no request crosses between members. Plain TCP members (ClusterSpec's
/// throttling transport would put its scheme on the endpoints); shards rebalance every second.
/// </summary>
[Collection(Alone.Name)]
public sealed class ClientSpreadSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private const string Hocon = """
        akka.cluster.sharding.rebalance-interval = 1s
        akka.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit = 20
        akka.cluster.sharding.least-shard-allocation-strategy.rebalance-relative-limit = 0.5
        actors.endpoint.shard-homes-interval = 500ms
        """;

    private readonly string _journal = TempJournal.NewPath();
    private readonly List<TestNode> _nodes = [];

    public async Task InitializeAsync()
    {
        var seedPort = Actors.TestSupport.Ports.Free();
        _nodes.Add(await TestNode.StartAsync(_journal, Hocon, port: seedPort));
        for (var i = 0; i < 2; i++)
        {
            _nodes.Add(await TestNode.StartAsync(_journal, Hocon, port: Actors.TestSupport.Ports.Free(), seeds: [$"127.0.0.1:{seedPort}"]));
        }

        await Actors.TestSupport.Eventually.UntilAsync(() => _nodes.All(n =>
                Akka.Cluster.Cluster.Get(n.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 3),
            Patience, "three members Up");
        // Shards are placed as keys first use them: touch enough for all 100, then every member
        // hosts about a third.
        var client = _nodes[0].Client;
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => client.AskAsync<CounterValue>(new GetCounter(client.NewRequestId(), $"touch-{i}"))));
        await Actors.TestSupport.Eventually.UntilAsync(StatusAsync,
            status => status.Members.All(m => m.EntityTypes.FirstOrDefault(e => e.Name == "counter")?.Shards >= 25), Patience,
            "shards spread over the three members");
    }

    [Fact]
    public async Task A_client_given_one_contact_sends_a_share_of_its_requests_through_every_members_gateway_and_every_one_is_answered()
    {
        await using var client = ActorsClient.Connect([_nodes[0].Contact]);
        // The other endpoints are learned from the first within a heartbeat or two.
        await Actors.TestSupport.Eventually.UntilAsync(async () =>
        {
            var before = await CompletedAsync();
            await Task.WhenAll(Enumerable.Range(0, 30).Select(i => client.AskAsync<CounterValue>(new AddToCounter(client.NewRequestId(), $"warm-{i}", 1))));
            return (await CompletedAsync()).Zip(before, (after, was) => after - was).ToArray();
        }, carried => carried.All(d => d > 0), Patience, "every member's gateway carries some of the client's requests");

        const int Requests = 900;
        var start = await CompletedAsync();
        var replies = await Task.WhenAll(Enumerable.Range(0, Requests)
            .Select(i => client.SendAsync(new AddToCounter(client.NewRequestId(), $"spread-{i}", 1), Patience)));
        var carried = (await CompletedAsync()).Zip(start, (after, was) => after - was).ToArray();

        output.WriteLine($"requests carried per member's gateway: {string.Join(", ", carried)}");
        replies.Where(r => r is not CounterValue).Should().BeEmpty("every request is answered with its result");
        carried.Sum().Should().BeGreaterThanOrEqualTo(Requests);
        carried.Should().OnlyContain(n => n >= Requests / 6, "each gateway carries about a third (300), none is idle or carries all");
    }

    [Fact]
    public async Task A_client_sends_each_keys_requests_to_the_gateway_of_the_member_hosting_its_entity()
    {
        await using var client = ActorsClient.Connect([_nodes[0].Contact]);
        var round = 0;
        // The shard table reaches the client with its heartbeats; then every new key's request
        // is carried by the gateway of the member where its entity starts.
        var (carried, started) = await Actors.TestSupport.Eventually.UntilAsync(async () =>
        {
            // Status is asked outside the counted span: it goes through a gateway too.
            var liveBefore = await LiveAsync();
            var gatewaysBefore = await CompletedAsync();
            var batch = round++;
            var replies = await Task.WhenAll(Enumerable.Range(0, 300)
                .Select(i => client.SendAsync(new AddToCounter(client.NewRequestId(), $"home-{batch}-{i}", 1), Patience)));
            replies.Where(r => r is not CounterValue).Should().BeEmpty();
            var gatewaysAfter = await CompletedAsync();
            return (gatewaysAfter.Zip(gatewaysBefore, (a, b) => a - b).ToArray(),
                (await LiveAsync()).Zip(liveBefore, (a, b) => (long)(a - b)).ToArray());
        }, r => r.Item1.SequenceEqual(r.Item2), Patience, "each member's gateway carried exactly the keys whose entities started there");

        output.WriteLine($"after {round} rounds: carried {string.Join(", ", carried)}; entities started {string.Join(", ", started)}");
        started.Should().OnlyContain(n => n > 0, "keys live on every member");
    }

    private async Task<ClusterStatus> StatusAsync() =>
        await _nodes[0].Client.AskAsync<ClusterStatus>(new GetClusterStatus(_nodes[0].Client.NewRequestId()));

    // Live counter entities per member, in the order of _nodes.
    private async Task<int[]> LiveAsync()
    {
        var status = await StatusAsync();
        return _nodes.Select(n => status.Members.Single(m => m.Address == Akka.Cluster.Cluster.Get(n.System).SelfAddress.ToString())
            .EntityTypes.Single(e => e.Name == "counter").LiveEntities).ToArray();
    }

    private async Task<long[]> CompletedAsync() => await Task.WhenAll(_nodes.Select(async n =>
        (await n.Gateway.Ask<GatewayStats>(GetGatewayStats.Instance, Patience)).Completed));

    public async Task DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync();
        }

        TempJournal.Delete(_journal);
    }
}
