using Actors.Gateway;
using Actors.Protocol;
using Akka.Actor;
using Akka.Event;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Gateway;

/// <summary>A request dropped where its sender is lost is traced back to the gateway that routed it.</summary>
public sealed class UndeliveredRequestsSpecs : Akka.TestKit.Xunit2.TestKit
{
    private sealed class Forward : ReceiveActor
    {
        public Forward(IActorRef to) => ReceiveAny(to.Tell);
    }

    [Fact]
    public void A_request_a_shard_region_drops_during_a_hand_off_reaches_the_gateway_named_in_it()
    {
        var routingGateway = CreateTestProbe();
        var gateway = Sys.ActorOf(Props.Create(() => new Forward(routingGateway.Ref)), GatewayActor.Name);
        var localGateway = CreateTestProbe();
        Sys.ActorOf(UndeliveredRequests.Props(localGateway.Ref));
        var region = CreateTestProbe();
        var routed = new RoutedRequest(Guid.NewGuid(), new GetCounter("r1", "k"), DateTime.UtcNow.AddSeconds(30), gateway.Path.ToStringWithAddress());

        AwaitAssert(() =>
        {
            Sys.EventStream.Publish(new Dropped(routed, "Avoiding reordering of buffered messages at shard handoff", region.Ref, region.Ref));
            routingGateway.ExpectMsg<RequestUndelivered>(TimeSpan.FromMilliseconds(200)).Token.Should().Be(routed.Token);
        }, TimeSpan.FromSeconds(5));
        localGateway.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_request_naming_something_other_than_a_gateway_goes_to_this_nodes_gateway()
    {
        var localGateway = CreateTestProbe();
        Sys.ActorOf(UndeliveredRequests.Props(localGateway.Ref));
        var region = CreateTestProbe();
        var routed = new RoutedRequest(Guid.NewGuid(), new GetCounter("r1", "k"), DateTime.UtcNow.AddSeconds(30), "akka://test/user/not-a-gateway");

        AwaitAssert(() =>
        {
            Sys.EventStream.Publish(new Dropped(routed, "test", region.Ref, region.Ref));
            localGateway.ExpectMsg<RequestUndelivered>(TimeSpan.FromMilliseconds(200)).Token.Should().Be(routed.Token);
        }, TimeSpan.FromSeconds(5));
    }
}
