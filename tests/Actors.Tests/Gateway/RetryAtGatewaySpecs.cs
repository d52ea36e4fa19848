using Actors.Gateway;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Gateway;

/// <summary>A client's retry of a request still in flight, a reused id, and a drain with work in flight.</summary>
public sealed class RetryAtGatewaySpecs(ITestOutputHelper output) : NodeSpec(output)
{
    [Fact]
    public async Task A_retry_of_a_request_still_in_flight_gets_the_same_one_reply()
    {
        var id = Id();
        var first = Send(new SleepFor(id, 300));
        var retry = Send(new SleepFor(id, 300));

        (await first).Should().BeOfType<Slept>();
        (await retry).Should().BeOfType<Slept>().Which.RequestId.Should().Be(id);
    }

    [Fact]
    public async Task A_different_request_reusing_an_id_in_flight_is_refused_and_the_first_is_answered()
    {
        var id = Id();
        var first = Send(new SleepFor(id, 300));

        var refused = await ExpectError(new SleepFor(id, 301), ErrorCode.InvalidRequest);

        refused.Message.Should().Contain("already in flight");
        (await first).Should().BeOfType<Slept>();
    }

    [Fact]
    public async Task A_drain_waits_for_the_requests_in_flight_and_they_are_answered()
    {
        var running = Send(new SleepFor(Id(), 500));
        await AwaitAssertAsync(async () =>
            (await Gateway.Ask<GatewayStats>(GetGatewayStats.Instance, Patience)).InFlight.Should().Be(1));

        var drained = await Gateway.Ask<Drained>(new DrainGateway(TimeSpan.FromSeconds(15)), Patience);

        running.IsCompleted.Should().BeTrue("the drain reports only once the sleep was answered");
        (await running).Should().BeOfType<Slept>();
        drained.StillInFlight.Should().Be(0);
    }
}
