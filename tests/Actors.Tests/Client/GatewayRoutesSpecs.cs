using Actors.Client;
using Actors.Entities;
using Actors.Gateway;
using Actors.Protocol;
using Akka.Actor;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Client;

/// <summary>The client's choice of gateway endpoint per request, and the link's bookkeeping of endpoints (pure).</summary>
public sealed class GatewayRoutesSpecs
{
    private static readonly string[] Ids = Enumerable.Range(0, 3000).Select(i => $"1a2b-3-c4d5e6f7-{i}").ToArray();

    [Fact]
    public void Requests_spread_over_every_gateway_and_an_id_always_meets_the_same_one()
    {
        var routes = Routes("a", "b", "c");
        var shares = Ids.GroupBy(routes.For).ToDictionary(g => g.Key!, g => g.Count());

        shares.Keys.Should().BeEquivalentTo("a", "b", "c");
        shares.Values.Should().OnlyContain(n => n > Ids.Length / 4 && n < Ids.Length * 5 / 12, "each takes about a third");
        var reordered = Routes("c", "a", "b");
        Ids.Should().OnlyContain(id => routes.For(id) == reordered.For(id), "the route depends on the set, not its order");
    }

    [Fact]
    public void When_a_gateway_goes_only_the_ids_it_carried_move_and_when_one_comes_only_its_new_share_moves()
    {
        var three = Routes("a", "b", "c");
        var two = Routes("a", "b");
        var four = Routes("a", "b", "c", "d");

        Ids.Where(id => three.For(id) != "c").Should().OnlyContain(id => two.For(id) == three.For(id));
        var moved = Ids.Where(id => four.For(id) != three.For(id)).ToList();
        moved.Should().OnlyContain(id => four.For(id) == "d");
        moved.Count.Should().BeInRange(Ids.Length / 6, Ids.Length / 3, "the newcomer takes about a quarter");
    }

    [Fact]
    public void No_gateway_no_route_and_one_gateway_takes_everything()
    {
        GatewayRoutes<string>.None.For("x").Should().BeNull();
        Ids.Should().OnlyContain(id => Routes("a").For(id) == "a");
    }

    [Fact]
    public void A_keyed_request_goes_to_the_gateway_hosting_its_keys_shard_and_by_its_id_when_that_one_is_not_live_or_not_known()
    {
        // Twelve shards on a, b and c in turn; shard 5's home unknown; c's endpoint not live.
        var homes = Enumerable.Range(0, 12).Select(i => i == 5 ? null : Name(new[] { "a", "b", "c" }[i % 3])).ToArray();
        var routes = new GatewayRoutes<string>(new[] { "a", "b" }.Select(n => (n, Name(n))),
            new Dictionary<string, string?[]> { [typeof(ICounterCommand).FullName!] = homes });
        var byId = Routes("a", "b");

        var cases = Enumerable.Range(0, 300).Select(i => new AddToCounter($"r{i}", $"key-{i}", 1)).Select(request =>
        {
            var home = homes[KeyShard.Of(request.Key, 12)];
            var expected = home == Name("a") ? "a" : home == Name("b") ? "b" : byId.For(request.RequestId);
            return (Request: request, Home: home, Expected: expected);
        }).ToList();

        cases.Should().OnlyContain(c => routes.For(c.Request) == c.Expected);
        cases.Select(c => c.Home).Should().Contain([Name("a"), Name("b"), Name("c"), null], "every case is met");
        var pi = new EstimatePi("pi-1", 10);
        routes.For(pi).Should().Be(byId.For(pi.RequestId), "a request without a key goes by its id");
    }

    [Fact]
    public void The_clients_shard_of_a_key_is_the_one_the_nodes_shard_regions_compute()
    {
        var extractor = new EntityMessageExtractor(100);
        Enumerable.Range(0, 2000).Select(i => $"user-{i}-{i * 7919}").Should().OnlyContain(key =>
            KeyShard.Of(key, 100).ToString(System.Globalization.CultureInfo.InvariantCulture) ==
            extractor.ShardId(key, new RoutedRequest(Guid.NewGuid(), new GetCounter("r", key), DateTime.UtcNow)));
    }

    [Fact]
    public void A_gateway_whose_node_is_leaving_is_kept_out_while_another_serves_but_taken_when_none_does()
    {
        var set = new GatewaySet<string>(max: 16);
        set.Add(At(1), "a", now: 0).Should().BeTrue();
        set.Add(At(2), "b", now: 0).Should().BeTrue();
        set.Add(At(2), "b", now: 0).Should().BeFalse("it is live already");

        set.Avoid(At(1), until: 1000);
        set.Count.Should().Be(1);
        set.Add(At(1), "a", now: 500).Should().BeFalse("its node is leaving and another serves");
        set.Remove(At(2)).Should().BeTrue();
        set.Add(At(1), "a", now: 500).Should().BeTrue("a leaving node still serves when no other does");
        set.Remove(At(1));
        set.Add(At(2), "b", now: 500);
        set.Add(At(1), "a", now: 1000).Should().BeTrue("the wait is over");
    }

    [Fact]
    public void A_gateway_silent_past_the_pause_is_named_and_one_that_answered_is_not()
    {
        var set = new GatewaySet<string>(max: 16);
        set.Add(At(1), "a", now: 0);
        set.Add(At(2), "b", now: 0);
        set.Heard(At(2), now: 5000);

        set.Silent(now: 6500, pause: 6000).Should().Equal(At(1));
    }

    [Fact]
    public void Contacts_not_live_are_asked_again_after_waits_that_double_up_to_the_most_and_all_are_asked_when_none_is_live()
    {
        var set = new GatewaySet<string>(max: 16);
        Address[] contacts = [At(1), At(2), At(3)];
        set.ToAsk(contacts, now: 0, interval: 1000, maxWait: 4000).Should().Equal(contacts, "none is live: ask everyone");
        set.ToAsk(contacts, now: 0, interval: 1000, maxWait: 4000).Should().Equal(contacts, "and at every turn");

        set.Add(At(1), "a", now: 0);
        var askedAt = Enumerable.Range(0, 20).Select(s => s * 500L)
            .Where(now => set.ToAsk(contacts, now, interval: 1000, maxWait: 4000).Contains(At(3))).ToList();
        askedAt.Should().Equal([0L, 1000L, 3000L, 7000L], "1 s, 2 s, then 4 s at most");
        set.ToAsk(contacts, now: 11000, interval: 1000, maxWait: 4000).Should().Equal(At(2), At(3));

        var full = new GatewaySet<string>(max: 1);
        full.Add(At(1), "a", now: 0);
        full.ToAsk(contacts, now: 0, interval: 1000, maxWait: 4000).Should().BeEmpty("the set is full");
    }

    private static GatewayRoutes<string> Routes(params string[] names) => new(names.Select(n => (n, Name(n))));

    private static string Name(string gateway) => $"akka.tcp://actors@127.0.0.1:{gateway}";

    private static Address At(int n) => new("akka.tcp", "actors", "127.0.0.1", 4000 + n);
}
