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
/// A remote client given one contact learns every member's gateway endpoint and spreads its
/// requests over them, so one client's load is admitted by every member, not by one. Plain TCP
/// members (ClusterSpec's throttling transport would put its scheme on the endpoints).
/// </summary>
[Collection(Alone.Name)]
public sealed class ClientSpreadSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _journal = TempJournal.NewPath();
    private readonly List<TestNode> _nodes = [];

    public async Task InitializeAsync()
    {
        var (first, second) = await TestNode.StartPairAsync(_journal);
        _nodes.AddRange([first, second]);
        _nodes.Add(await TestNode.StartAsync(_journal, port: Actors.TestSupport.Ports.Free(),
            seeds: [$"127.0.0.1:{Akka.Cluster.Cluster.Get(first.System).SelfAddress.Port}"]));
        await Actors.TestSupport.Eventually.UntilAsync(() => _nodes.All(n =>
                Akka.Cluster.Cluster.Get(n.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 3),
            Patience, "three members Up");
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
