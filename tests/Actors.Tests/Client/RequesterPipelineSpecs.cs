using Actors.Client;
using Actors.Protocol;
using Akka.Actor;
using Akka.TestKit;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Client;

/// <summary>
/// A requester's pipeline is per gateway endpoint: with three members it keeps up to three times
/// as many messages awaiting replies before requests gather (counted over all endpoints, three
/// members' flushes filled it and each member got one message per round trip).
/// </summary>
public sealed class RequesterPipelineSpecs : Akka.TestKit.Xunit2.TestKit
{
    private const int Pipeline = 2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void With_three_gateways_a_requester_keeps_its_pipeline_per_gateway_then_gathers_until_a_reply()
    {
        var gateways = new[] { CreateTestProbe(), CreateTestProbe(), CreateTestProbe() };
        var routes = new GatewayRoutes<IActorRef>(gateways.Select((g, i) => (g.Ref, $"gateway-{i}")));
        // Linger far beyond the spec's patience: a request sent only because the linger ran out would fail it.
        var batching = new BatchSettings(MaxSize: 100, Linger: TimeSpan.FromMinutes(1), Pipeline);
        var requester = Sys.ActorOf(Props.Create(() => new Requester(CreateTestProbe().Ref, TimeSpan.FromMinutes(1), batching, "b", false)));
        requester.Tell(routes);

        var inFlight = new List<(TestProbe Gateway, IRequest Request)>();
        for (var i = 0; i < Pipeline * gateways.Length; i++)
        {
            // Each goes at once while the pipeline has room: one message per request.
            var request = Send(requester);
            var gateway = gateways.Single(g => g.Ref.Equals(routes.For(request)));
            gateway.ExpectMsg<GetCounter>(Patience).RequestId.Should().Be(request.RequestId, $"request {i + 1} of {Pipeline * gateways.Length} goes at once");
            inFlight.Add((gateway, request));
        }

        // Full: the next requests gather (no message) until a reply frees room, then go together.
        var gathered = new[] { Send(requester), Send(requester), Send(requester) };
        foreach (var gateway in gateways)
        {
            gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        }

        var (answering, answered) = inFlight[0];
        requester.Tell(new CounterValue(answered.RequestId, "k", 1), answering.Ref);
        var arrived = gathered.Select(routes.For).Distinct()
            .Select(target => gateways.Single(g => g.Ref.Equals(target)).ExpectMsg<IRequest>(Patience))
            .SelectMany(message => message is RequestBatch batch ? batch.Items : [message]);
        arrived.Select(r => r.RequestId).Should().BeEquivalentTo(gathered.Select(r => r.RequestId),
            "once a reply frees room the gathered requests go, one message per gateway they route to");
    }

    private static GetCounter Send(IActorRef requester)
    {
        var request = new GetCounter(Guid.NewGuid().ToString("N"), "k");
        var deadline = Environment.TickCount64 + 60_000;
        requester.Tell(new Requester.Outgoing(request, new TaskCompletionSource<IReply>(), deadline, deadline));
        return request;
    }
}
