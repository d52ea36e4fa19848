using Actors.Handlers;
using Actors.Protocol;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Entities;

/// <summary>The counter's decisions and events as plain functions: no node, no journal.</summary>
public sealed class CounterHandlerSpecs
{
    private readonly CounterHandler _handler = new();

    [Fact]
    public void An_add_decides_one_event_and_replies_with_the_total_after_it()
    {
        var decision = _handler.Decide(new CounterState(5), new AddToCounter("r1", "k", 3));

        decision.Events.Should().Equal(new CounterAdded("r1", 3));
        var next = decision.Events.Aggregate(new CounterState(5), _handler.Apply);
        next.Should().Be(new CounterState(8));
        decision.BuildReply(next).Should().Be(new CounterValue("r1", "k", 8));
    }

    [Fact]
    public void A_read_decides_nothing()
    {
        var decision = _handler.Decide(new CounterState(5), new GetCounter("r1", "k"));

        decision.Events.Should().BeEmpty();
        decision.BuildReply(new CounterState(5)).Should().Be(new CounterValue("r1", "k", 5));
    }

    [Theory]
    [InlineData(long.MaxValue - 1, 2)]
    [InlineData(long.MinValue + 1, -2)]
    public void An_add_that_would_overflow_is_refused_and_changes_nothing(long total, long amount)
    {
        var decision = _handler.Decide(new CounterState(total), new AddToCounter("r1", "k", amount));

        decision.Events.Should().BeEmpty();
        decision.BuildReply(new CounterState(total)).Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.InvalidRequest);
    }

    [Fact]
    public void Replaying_the_events_rebuilds_the_state()
    {
        var events = new ICounterEvent[] { new CounterAdded("a", 10), new CounterAdded("b", -3), new CounterAdded("c", 1) };

        events.Aggregate(_handler.Initial("k"), _handler.Apply).Should().Be(new CounterState(8));
    }

    [Fact]
    public void A_retried_add_reads_back_the_total_as_it_is_now()
    {
        _handler.AlreadyApplied(new CounterState(8), new AddToCounter("r1", "k", 3)).Should().Be(new CounterValue("r1", "k", 8));
    }
}
