using Actors.Hosting;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Cluster.Sharding;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Hosting;

/// <summary>What AddActors leaves in Akka.Hosting's registry for a team's own actors to find.</summary>
public sealed class WiringSpecs
{
    [Fact]
    public async Task The_gateway_and_each_entity_types_region_are_in_the_registry()
    {
        var journal = TempJournal.NewPath();
        try
        {
            await using var node = await TestNode.StartAsync(journal);

            var region = node.Registry.Get<EntityRegion<ICounterCommand>>();
            await node.Client.SendAsync(new AddToCounter(Guid.NewGuid().ToString("N"), "wired", 1));
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(20));

            state.Shards.SelectMany(s => s.EntityIds).Should().Contain("wired");
            node.Registry.Get<GatewayKey>().Should().Be(node.Gateway);
        }
        finally
        {
            TempJournal.Delete(journal);
        }
    }
}
