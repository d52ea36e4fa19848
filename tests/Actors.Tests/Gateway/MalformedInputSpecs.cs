using Actors.Client;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Cluster;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Gateway;

/// <summary>Bad input from another actor system: each gets an error or is dropped, and the node keeps serving.</summary>
public sealed class MalformedInputSpecs(ITestOutputHelper output) : NodeSpec(output)
{
    [Fact]
    public async Task A_type_the_node_does_not_accept_is_dropped_and_the_node_keeps_serving()
    {
        await using var client = await ConnectFromAnotherSystemAsync(typeof(NotOnTheNode).Assembly);
        var caller = CreateTestProbe(ClientSystems[0]);
        var gateway = ClientSystems[0].ActorSelection(EndpointPath("/user/gateway"));

        // Straight to the gateway from a plain actor system that allows the type; the node's
        // allow-list does not, so the message never gets past deserialization on the node.
        gateway.Tell(new NotOnTheNode("unwanted-1", "payload"), caller.Ref);
        gateway.Tell(new GetCounter("wanted-1", "k"), caller.Ref);

        caller.ExpectMsg<CounterValue>(Patience).RequestId.Should().Be("wanted-1");
        caller.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        (await client.AskAsync<CounterValue>(new AddToCounter(client.NewRequestId(), "k", 1))).Total.Should().Be(1);
    }

    [Fact]
    public async Task Nulls_inside_records_are_invalid_requests()
    {
        await using var client = await ConnectFromAnotherSystemAsync(typeof(NotOnTheNode).Assembly);

        (await client.SendAsync(new AddToCounter(client.NewRequestId(), null!, 1))).Should().BeOfType<ErrorReply>()
            .Which.Code.Should().Be(ErrorCode.InvalidRequest);
        (await client.SendAsync(new GetCounter(client.NewRequestId(), null!))).Should().BeOfType<ErrorReply>()
            .Which.Code.Should().Be(ErrorCode.InvalidRequest);
    }

    [Fact]
    public async Task An_oversized_request_is_refused_before_it_is_sent_and_the_connection_stays_up()
    {
        await using var client = await ConnectFromAnotherSystemAsync(typeof(NotOnTheNode).Assembly);

        var reply = await client.SendAsync(new GetCounter(client.NewRequestId(), new string('x', 2_000_000)));

        reply.Should().BeOfType<ErrorReply>().Which.Message.Should().Contain("maximum-frame-size");
        (await client.AskAsync<CounterValue>(new GetCounter(client.NewRequestId(), "k2"))).Total.Should().Be(0);
    }

    public sealed record NotOnTheNode(string RequestId, string Payload) : IRequest;
}
