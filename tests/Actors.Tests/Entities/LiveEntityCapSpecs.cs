using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Cluster.Sharding;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Entities;

public sealed class LiveEntityCapSpecs(ITestOutputHelper output) : NodeSpec(output, Hocon)
{
    // A cap of 3 and an idle timeout far beyond the test: only the cap can passivate.
    private const string Hocon = """
        actors.entities.counter { max-live = 3, idle-timeout = 10m }
        """;

    [Fact]
    public async Task Over_the_cap_the_least_recently_used_entities_passivate_and_recover_on_their_next_message()
    {
        string[] keys = ["a", "b", "c", "d", "e"];
        foreach (var key in keys)
        {
            await Expect<CounterValue>(new AddToCounter(Id(), key, 10));
        }

        // a and b were used least recently: with d and e they had to go.
        await AwaitAssertAsync(async () => (await LiveKeys()).Should().BeEquivalentTo(["c", "d", "e"]),
            Patience, TimeSpan.FromMilliseconds(100));

        // Using c makes d the least recently used; a comes back from the journal and d goes.
        await Expect<CounterValue>(new GetCounter(Id(), "c"));
        (await Expect<CounterValue>(new AddToCounter(Id(), "a", 1))).Total.Should().Be(11);
        await AwaitAssertAsync(async () => (await LiveKeys()).Should().BeEquivalentTo(["a", "c", "e"]),
            Patience, TimeSpan.FromMilliseconds(100));
    }

    private async Task<IReadOnlyCollection<string>> LiveKeys()
    {
        var state = await ClusterSharding.Get(Sys).ShardRegion("counter")
            .Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Patience);
        return state.Shards.SelectMany(s => s.EntityIds).ToList();
    }
}
