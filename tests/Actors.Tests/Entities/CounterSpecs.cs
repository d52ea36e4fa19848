using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Cluster.Sharding;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Entities;

public sealed class CounterSpecs(ITestOutputHelper output) : NodeSpec(output, CounterSpecsHocon)
{
    // Short idle timeout and snapshot interval so passivation and snapshots happen within a test;
    // bursts straight at the gateway (no client to retry a refusal) are admitted whole.
    private const string CounterSpecsHocon = """
        actors.entities.counter.idle-timeout = 1s
        actors.entities.counter.snapshot-every = 3
        actors.entities.counter.snapshot-spread = 0
        actors.admission.adaptive.enabled = off
        """;


    [Fact]
    public async Task Adds_accumulate_and_get_reads_the_total()
    {
        var key = Id();
        (await Expect<CounterValue>(new AddToCounter(Id(), key, 5))).Total.Should().Be(5);
        (await Expect<CounterValue>(new AddToCounter(Id(), key, -2))).Total.Should().Be(3);

        var read = await Expect<CounterValue>(new GetCounter(Id(), key));
        read.Should().BeEquivalentTo(new { Key = key, Total = 3L });
    }

    [Fact]
    public async Task A_counter_never_written_reads_zero()
    {
        (await Expect<CounterValue>(new GetCounter(Id(), Id()))).Total.Should().Be(0);
    }

    [Fact]
    public async Task An_add_that_would_overflow_is_refused_and_changes_nothing()
    {
        var key = Id();
        await Expect<CounterValue>(new AddToCounter(Id(), key, long.MaxValue - 1));

        var error = await ExpectError(new AddToCounter(Id(), key, 2), ErrorCode.InvalidRequest);

        error.Message.Should().Contain("overflow");
        (await Expect<CounterValue>(new GetCounter(Id(), key))).Total.Should().Be(long.MaxValue - 1);

        var low = Id();
        await Expect<CounterValue>(new AddToCounter(Id(), low, long.MinValue));
        await ExpectError(new AddToCounter(Id(), low, -1), ErrorCode.InvalidRequest);
    }

    [Fact]
    public async Task An_idle_counter_passivates_and_recovers_its_total_on_the_next_message()
    {
        var key = Id();
        for (var i = 1; i <= 7; i++)
        {
            await Expect<CounterValue>(new AddToCounter(Id(), key, i));
        }

        var region = ClusterSharding.Get(Sys).ShardRegion("counter");
        await AwaitAssertAsync(async () =>
        {
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Patience);
            state.Shards.SelectMany(s => s.EntityIds).Should().NotContain(key, "the idle entity passivated");
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250));

        (await Expect<CounterValue>(new GetCounter(Id(), key))).Total.Should().Be(28);
        var live = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Patience);
        live.Shards.SelectMany(s => s.EntityIds).Should().Contain(key, "the next message brought it back");
    }

    [Fact]
    public async Task A_retried_add_with_the_same_request_id_is_applied_once_even_after_recovery_from_a_snapshot()
    {
        var key = Id();
        var first = new AddToCounter(Id(), key, 5);
        (await Expect<CounterValue>(first)).Total.Should().Be(5);
        (await Expect<CounterValue>(first)).Total.Should().Be(5, "the retry reads the total back");

        // Enough writes for a snapshot (every 3 events), then passivation and recovery.
        for (var i = 0; i < 4; i++)
        {
            await Expect<CounterValue>(new AddToCounter(Id(), key, 1));
        }

        var region = ClusterSharding.Get(Sys).ShardRegion("counter");
        await AwaitAssertAsync(async () =>
        {
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Patience);
            state.Shards.SelectMany(s => s.EntityIds).Should().NotContain(key);
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250));

        (await Expect<CounterValue>(first)).Total.Should().Be(9, "the recovered counter still knows the first request id");
        (await Expect<CounterValue>(new AddToCounter(Id(), key, 1))).Total.Should().Be(10);
    }

    [Fact]
    public async Task Concurrent_adds_to_one_key_are_all_applied()
    {
        var key = Id();
        var adds = Enumerable.Range(0, 200).Select(_ => new AddToCounter(Id(), key, 1)).ToList();

        var replies = await Task.WhenAll(adds.Select(Expect<CounterValue>));

        replies.Select(r => r.Total).Should().OnlyHaveUniqueItems().And.Contain(200);
        (await Expect<CounterValue>(new GetCounter(Id(), key))).Total.Should().Be(200);
    }
}
