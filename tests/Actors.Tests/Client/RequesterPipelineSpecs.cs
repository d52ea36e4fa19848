using Actors.Client;
using Actors.Protocol;
using Akka.Actor;
using Akka.TestKit;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Client;

/// <summary>
/// A requester gathers per gateway endpoint: each endpoint keeps its own pipeline (counted over
/// all endpoints, three members' flushes filled it and each member got one message per round trip)
/// and fills its own messages up to max-size (gathered over all, one flush split three ways sent
/// messages a third as large).
/// </summary>
public sealed class RequesterPipelineSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void With_three_gateways_each_keeps_its_own_pipeline_and_gathers_until_its_own_reply()
    {
        const int pipeline = 2;
        var (gateways, routes, requester) = Start(new BatchSettings(MaxSize: 100, Linger: TimeSpan.FromMinutes(1), pipeline));

        var inFlight = new List<(TestProbe Gateway, IRequest Request)>();
        foreach (var gateway in gateways)
        {
            for (var i = 0; i < pipeline; i++)
            {
                // Each goes at once while its gateway's pipeline has room: one message per request.
                var request = Send(requester, routes, gateway);
                gateway.ExpectMsg<GetCounter>(Patience).RequestId.Should().Be(request.RequestId, $"request {i + 1} of {pipeline} to a gateway goes at once");
                inFlight.Add((gateway, request));
            }
        }

        // Every pipeline full: the next requests gather (no message) until a reply frees room.
        var first = gateways[0];
        var second = gateways[1];
        var forFirst = new[] { Send(requester, routes, first), Send(requester, routes, first) };
        var forSecond = Send(requester, routes, second);
        foreach (var gateway in gateways)
        {
            gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        }

        // A reply from the first frees the first's pipeline only: what gathered for it goes as one message.
        var answered = inFlight.First(f => f.Gateway == first).Request;
        requester.Tell(new CounterValue(answered.RequestId, "k", 1), first.Ref);
        first.ExpectMsg<RequestBatch>(Patience).Items.Select(r => r.RequestId)
            .Should().BeEquivalentTo(forFirst.Select(r => r.RequestId), "once a reply frees room the gathered requests go together");
        // The second gateway's pipeline is still full.
        second.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        var answeredSecond = inFlight.First(f => f.Gateway == second).Request;
        requester.Tell(new CounterValue(answeredSecond.RequestId, "k", 1), second.Ref);
        second.ExpectMsg<GetCounter>(Patience).RequestId.Should().Be(forSecond.RequestId);
    }

    [Fact]
    public void With_three_gateways_a_message_fills_up_to_max_size_for_its_own_gateway()
    {
        const int maxSize = 4;
        var (gateways, routes, requester) = Start(new BatchSettings(maxSize, Linger: TimeSpan.FromMinutes(1), Pipeline: 1));
        foreach (var gateway in gateways)
        {
            Send(requester, routes, gateway);
            gateway.ExpectMsg<GetCounter>(Patience);
        }

        // Pipelines full; requests for two gateways interleave. Gathered over all endpoints, the
        // fourth would have flushed both halves as two messages of two.
        var first = gateways[0];
        var second = gateways[1];
        var forFirst = new List<IRequest>();
        for (var i = 0; i < maxSize - 1; i++)
        {
            forFirst.Add(Send(requester, routes, first));
            Send(requester, routes, second);
        }

        foreach (var gateway in gateways)
        {
            gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        }

        forFirst.Add(Send(requester, routes, first));
        first.ExpectMsg<RequestBatch>(Patience).Items.Select(r => r.RequestId)
            .Should().BeEquivalentTo(forFirst.Select(r => r.RequestId), "a gateway's own max-size requests go at once, as one message");
        // Three requests for the second gateway are below max-size, and its pipeline is full.
        second.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    private (TestProbe[] Gateways, GatewayRoutes<IActorRef> Routes, IActorRef Requester) Start(BatchSettings batching)
    {
        var gateways = new[] { CreateTestProbe(), CreateTestProbe(), CreateTestProbe() };
        var routes = new GatewayRoutes<IActorRef>(gateways.Select((g, i) => (g.Ref, $"gateway-{i}")));
        // Linger far beyond the spec's patience: a request sent only because the linger ran out would fail it.
        var requester = Sys.ActorOf(Props.Create(() => new Requester(CreateTestProbe().Ref, TimeSpan.FromMinutes(1), batching, "b", false)));
        requester.Tell(routes);
        return (gateways, routes, requester);
    }

    /// <summary>Sends a request whose id routes to <paramref name="gateway"/>.</summary>
    private static GetCounter Send(IActorRef requester, GatewayRoutes<IActorRef> routes, TestProbe gateway)
    {
        GetCounter request;
        do
        {
            request = new GetCounter(Guid.NewGuid().ToString("N"), "k");
        }
        while (!gateway.Ref.Equals(routes.For(request)));

        var deadline = Environment.TickCount64 + 60_000;
        requester.Tell(new Requester.Outgoing(request, new TaskCompletionSource<IReply>(), deadline, deadline));
        return request;
    }
}
