using Actors.Client;
using Actors.Protocol;
using Actors.Serialization;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Serialization;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Serialization;

public sealed class ProtocolSerializerSpecs(ITestOutputHelper output) : NodeSpec(output)
{
    public static TheoryData<IActorsMessage> Messages => new()
    {
        new EstimatePi("r1", 1000),
        new PiEstimated("r2", 3.1416, 1000, 785),
        new AddToCounter("r3", "key", -42),
        new GetCounter("r4", "key"),
        new CounterValue("r5", "key", long.MaxValue),
        new ErrorReply("r6", ErrorCode.Overloaded, "busy", TimeSpan.FromMilliseconds(250)),
        new ErrorReply("r7", ErrorCode.InvalidRequest, "bad"),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_protocol_message_round_trips_through_the_protocol_serializer(IActorsMessage message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);

        serializer.Should().BeOfType<ProtocolSerializer>();
        serializer.FromBinary(serializer.ToBinary(message), message.GetType()).Should().Be(message);
    }

    [Fact]
    public void A_message_type_outside_the_allow_list_is_refused_when_sent()
    {
        var serializer = Sys.Serialization.FindSerializerFor(new NotAllowed("r", "x"));

        var act = () => serializer.ToBinary(new NotAllowed("r", "x"));

        act.Should().Throw<Exception>().Where(e => e.ToString().Contains("Unsafe Type"));
    }

    [Fact]
    public async Task A_message_type_outside_the_allow_list_is_refused_when_received()
    {
        // Hyperion bytes from a peer that allows the type (a member registering it), read by a node that does not.
        var peer = ActorSystem.Create("peer", ActorsClient.Config([typeof(NotAllowed).Assembly]));
        try
        {
            var bytes = new ProtocolSerializer((ExtendedActorSystem)peer).ToBinary(new NotAllowed("r", "x"));

            var act = () => Sys.Serialization.FindSerializerFor(new NotAllowed("r", "x")).FromBinary(bytes, typeof(object));

            act.Should().Throw<Exception>().Where(e => e.ToString().Contains("Unsafe Type"));
        }
        finally
        {
            await peer.Terminate();
        }
    }

    [Fact]
    public void The_allow_list_matches_names_with_and_without_assembly_version()
    {
        var allow = new AllowList(["Actors.Protocol.EstimatePi, Actors"]);

        allow.IsAllowed(typeof(EstimatePi).AssemblyQualifiedName!).Should().BeTrue();
        allow.IsAllowed("Actors.Protocol.EstimatePi, Actors").Should().BeTrue();
        allow.IsAllowed("Actors.Protocol.GetCounter, Actors").Should().BeFalse();
        allow.IsAllowed("System.Collections.Generic.List`1[[Actors.Protocol.EstimatePi, Actors]], System.Private.CoreLib").Should().BeFalse();
        allow.IsAllowed("").Should().BeFalse();
    }

    public sealed record NotAllowed(string RequestId, string Payload) : IRequest;
}
