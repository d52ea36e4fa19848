using System.Collections.Frozen;
using System.Collections.Immutable;
using Actors.Entities;
using Actors.Handlers;
using Actors.Protocol;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Clustering;

/// <summary>
/// A team's entity whose replies carry dictionaries and lists, on two members: a reply from an
/// entity on the other member crosses Hyperion and arrives; one holding a collection the wire
/// does not take is answered at once with an error naming it (it used to be dropped by the
/// receiving member, its caller answered Timeout after the full deadline).
/// </summary>
public sealed class ContainersAcrossMembersSpecs(ITestOutputHelper output)
    : ClusterSpec(output, actors => actors.AddEntityType("tally", _ => new TallyHandler()))
{
    [Fact]
    public async Task Replies_carrying_collections_cross_members_and_one_the_wire_refuses_is_answered_at_once()
    {
        var second = await JoinAsync();
        await AwaitMembersUpAsync(First, second);
        var keys = Enumerable.Range(0, 40).Select(i => $"t{i}").ToList();
        await AwaitAssertAsync(async () =>
        {
            foreach (var key in keys)
            {
                await First.Client.AskAsync<Tallied>(new Count(First.Client.NewRequestId(), key, "warm"), Patience);
            }

            (await ShardsPerMemberAsync(First, "tally")).Values.Should().OnlyContain(shards => shards > 0, "both members host tally shards");
        }, Patience, TimeSpan.FromSeconds(1));

        foreach (var key in keys)
        {
            var tallied = await First.Client.AskAsync<Tallied>(new Count(First.Client.NewRequestId(), key, "apple"), Patience);
            tallied.Counts.Should().BeEquivalentTo(new Dictionary<string, int> { ["warm"] = tallied.Counts["warm"], ["apple"] = 1 });
            tallied.Words.Should().Equal(tallied.Counts.Keys.Order());
            tallied.Recent.Should().HaveCountGreaterThan(0);
        }

        var slowest = TimeSpan.Zero;
        foreach (var key in keys)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var refused = await First.Client.SendAsync(new CountFrozen(First.Client.NewRequestId(), key, "pear"), Patience);
            slowest = started.Elapsed > slowest ? started.Elapsed : slowest;

            var error = refused.Should().BeOfType<ErrorReply>().Subject;
            error.Code.Should().Be(ErrorCode.HandlerFailed);
            error.Message.Should().Contain("Frozen").And.Contain("nothing was written");
        }

        var after = await First.Client.AskAsync<Tallied>(new Count(First.Client.NewRequestId(), keys[0], "apple"), Patience);
        after.Counts.Should().NotContainKey("pear");
        // Answered by the entity, not by a deadline: a node's request-deadline is 10 s, the client's attempt 5 s.
        slowest.Should().BeLessThan(TimeSpan.FromSeconds(4));
    }

    public interface ITallyCommand : IKeyedRequest;

    public sealed record Count(string RequestId, string Key, string Word) : ITallyCommand;

    /// <summary>Replies with its counts as a FrozenDictionary, a class the wire does not take.</summary>
    public sealed record CountFrozen(string RequestId, string Key, string Word) : ITallyCommand;

    public sealed record Tallied(string RequestId, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<string> Words,
        ImmutableArray<string> Recent) : IReply;

    [JournalManifest("test.tally.state.v1")]
    public sealed record TallyState(ImmutableDictionary<string, int> Counts) : IJournaled;

    [JournalManifest("test.tally.counted.v1")]
    public sealed record Counted(string Word) : IJournaled;

    private sealed class TallyHandler : IEntityHandler<TallyState, ITallyCommand, Counted>
    {
        public TallyState Initial(string key) => new(ImmutableDictionary<string, int>.Empty);

        public EntityDecision<TallyState, Counted> Decide(TallyState state, ITallyCommand command) => command switch
        {
            Count count => EntityDecision<TallyState, Counted>.Persist(new Counted(count.Word),
                s => new Tallied(count.RequestId, s.Counts, s.Counts.Keys.Order().ToList(), [count.Word])),
            CountFrozen count => EntityDecision<TallyState, Counted>.Persist(new Counted(count.Word),
                s => new Tallied(count.RequestId, s.Counts.ToFrozenDictionary(), [], [])),
            _ => EntityDecision<TallyState, Counted>.Reply(new ErrorReply(command.RequestId, ErrorCode.UnknownRequest, "?")),
        };

        public TallyState Apply(TallyState state, Counted counted) =>
            new(state.Counts.SetItem(counted.Word, state.Counts.GetValueOrDefault(counted.Word) + 1));
    }
}
