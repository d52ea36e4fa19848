using System.Collections.Concurrent;
using System.Diagnostics;
using Actors.Client;
using Actors.Protocol;
using Actors.TestSupport;
using Actors.Tests.Support;
using Akka.Cluster;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Clustering;

/// <summary>Three members in one process: keys spread, shards rebalance on a join, hand off on a leave, and a cut-off member is downed.</summary>
public sealed class MembershipSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private readonly ITestOutputHelper _output = output;

    [Fact]
    public async Task Shards_move_to_members_that_join_and_every_key_keeps_its_total()
    {
        var keys = Enumerable.Range(0, 120).Select(i => $"spread-{i}").ToList();
        foreach (var key in keys)
        {
            await First.Client.AskAsync<CounterValue>(new AddToCounter(First.Client.NewRequestId(), key, 1));
        }

        var before = await ShardsPerMemberAsync(First);
        before.Should().ContainSingle().Which.Value.Should().BeGreaterThan(0);

        var second = await JoinAsync();
        var third = await JoinAsync();
        await AwaitMembersUpAsync(First, second, third);

        // Shards start where they were moved when their next message arrives: keep reading every key.
        Dictionary<string, int> after = [];
        await AwaitAssertAsync(async () =>
        {
            foreach (var key in keys)
            {
                (await First.Client.AskAsync<CounterValue>(new GetCounter(First.Client.NewRequestId(), key))).Total.Should().Be(1, key);
            }

            after = await ShardsPerMemberAsync(First);
            after.Should().HaveCount(3);
            after.Values.Should().OnlyContain(shards => shards > 0, "every member hosts shards after rebalancing");
        }, Patience, TimeSpan.FromMilliseconds(500));

        Figures.Record(_output, $"in-process cluster: shards per member before the joins: {Describe(before)}; after: {Describe(after)}");

        // Keys written after the joins are spread over all three as well, and read back from any member.
        foreach (var key in keys)
        {
            (await second.Client.AskAsync<CounterValue>(new AddToCounter(second.Client.NewRequestId(), key, 2))).Total.Should().Be(3);
            (await third.Client.AskAsync<CounterValue>(new GetCounter(third.Client.NewRequestId(), key))).Total.Should().Be(3);
        }
    }

    [Fact]
    public async Task A_member_that_leaves_hands_its_shards_off_and_every_request_during_the_leave_is_answered()
    {
        var second = await JoinAsync();
        var third = await JoinAsync();
        await AwaitMembersUpAsync(First, second, third);
        var keys = Enumerable.Range(0, 90).Select(i => $"leave-{i}").ToList();
        await SpreadAsync(keys, 3);

        // Adds through the two members that stay, continuously, while the third leaves.
        using var stop = new CancellationTokenSource();
        var load = new Load(keys);
        var writers = new[] { First, second }.SelectMany(node => Enumerable.Range(0, 8).Select(_ => load.RunAsync(node.Client, stop.Token))).ToList();
        await AwaitConditionAsync(() => Task.FromResult(load.Acknowledged > 200), Patience);
        var leaving = Address(third);
        await third.StopAsync();
        await AwaitMembersUpAsync(First, second);
        var served = load.Acknowledged;
        await AwaitConditionAsync(() => Task.FromResult(load.Acknowledged > served + 200), Patience);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Figures.Record(_output, $"in-process cluster: during the leave of {leaving}: {load.Acknowledged} adds acknowledged, {load.Failures.Count} failed");
        load.Failures.Should().BeEmpty("a graceful leave hands shards off without failing a request");
        foreach (var key in keys)
        {
            var total = await First.Client.AskAsync<CounterValue>(new GetCounter(First.Client.NewRequestId(), key));
            total.Total.Should().Be(load.AcknowledgedFor(key), $"every acknowledged add to {key} counts once");
        }

        (await ShardsPerMemberAsync(First)).Keys.Should().NotContain(leaving.ToString());
    }

    [Fact]
    public async Task A_member_cut_off_from_the_others_downs_itself_and_its_keys_come_back_on_the_majority()
    {
        var second = await JoinAsync();
        var third = await JoinAsync();
        await AwaitMembersUpAsync(First, second, third);
        var keys = Enumerable.Range(0, 90).Select(i => $"cut-{i}").ToList();
        foreach (var key in keys)
        {
            await First.Client.AskAsync<CounterValue>(new AddToCounter(First.Client.NewRequestId(), key, 5));
        }

        var shards = await SpreadAsync(keys, 3);
        shards[Address(third).ToString()].Should().BeGreaterThan(0, "the member to be cut off hosts some keys");
        var downed = Stopwatch.StartNew();

        await BlackholeAsync(third);

        // The minority side (one of three) downs itself and its actor system stops; the majority removes it.
        (await third.System.WhenTerminated.WaitAsync(Patience).ContinueWith(t => t.IsCompletedSuccessfully))
            .Should().BeTrue("keep-majority downs the minority side");
        await AwaitMembersUpAsync(First, second);

        // Its keys are recovered from the shared journal on the members that remain.
        foreach (var key in keys)
        {
            var total = await First.Client.AskAsync<CounterValue>(new GetCounter(First.Client.NewRequestId(), key), Patience);
            total.Total.Should().Be(5, key);
        }

        Figures.Record(_output, $"in-process cluster: partition: {Address(third)} downed and all {keys.Count} keys serving again after {downed.Elapsed.TotalSeconds:F1} s " +
                          $"(stable-after 3 s); shards before: {Describe(shards)}, after: {Describe(await ShardsPerMemberAsync(First))}");
        (await ShardsPerMemberAsync(First)).Should().HaveCount(2);
    }

    /// <summary>Reads every key until each of <paramref name="members"/> members hosts some of their shards.</summary>
    private async Task<Dictionary<string, int>> SpreadAsync(IReadOnlyList<string> keys, int members)
    {
        Dictionary<string, int> shards = [];
        await AwaitAssertAsync(async () =>
        {
            foreach (var key in keys)
            {
                await First.Client.AskAsync<CounterValue>(new GetCounter(First.Client.NewRequestId(), key));
            }

            shards = await ShardsPerMemberAsync(First);
            shards.Should().HaveCount(members);
            shards.Values.Should().OnlyContain(n => n > 0, "every member hosts shards");
        }, Patience, TimeSpan.FromMilliseconds(500));
        return shards;
    }

    private static string Describe(Dictionary<string, int> shards) =>
        string.Join(", ", shards.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key[s.Key.LastIndexOf(':')..]}={s.Value}"));

    /// <summary>Writers adding 1 to random keys, recording each acknowledged add and each failure.</summary>
    private sealed class Load(IReadOnlyList<string> keys)
    {
        private readonly ConcurrentDictionary<string, int> _acknowledged = new();
        private long _total;

        public long Acknowledged => Interlocked.Read(ref _total);
        public ConcurrentBag<string> Failures { get; } = [];

        public int AcknowledgedFor(string key) => _acknowledged.GetValueOrDefault(key);

        public async Task RunAsync(ActorsClient client, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var key = keys[Random.Shared.Next(keys.Count)];
                var reply = await client.SendAsync(new AddToCounter(client.NewRequestId(), key, 1), TimeSpan.FromSeconds(60));
                if (reply is CounterValue)
                {
                    _acknowledged.AddOrUpdate(key, 1, (_, n) => n + 1);
                    Interlocked.Increment(ref _total);
                }
                else
                {
                    Failures.Add($"{key}: {reply}");
                }
            }
        }
    }
}
