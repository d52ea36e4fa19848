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
        var allow = new AllowList(["Actors.Protocol.EstimatePi, Actors.Client"]);

        allow.IsAllowed(typeof(EstimatePi).AssemblyQualifiedName!).Should().BeTrue();
        allow.IsAllowed("Actors.Protocol.EstimatePi, Actors.Client").Should().BeTrue();
        allow.IsAllowed("Actors.Protocol.GetCounter, Actors.Client").Should().BeFalse();
        // No generic definitions listed here.
        allow.IsAllowed("System.Collections.Generic.List`1[[Actors.Protocol.EstimatePi, Actors.Client]], System.Private.CoreLib").Should().BeFalse();
        allow.IsAllowed("").Should().BeFalse();
    }

    [Fact]
    public async Task Records_carrying_collections_of_allowed_types_travel_between_members()
    {
        // Two systems that registered the same assembly, as the members of one cluster do.
        var config = ActorsClient.Config([typeof(WireShapeSpecs).Assembly]);
        var sender = ActorSystem.Create("sender", config);
        var receiver = ActorSystem.Create("receiver", config);
        try
        {
            var tally = new WireShapeSpecs.Tally("r", new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }, new List<string> { "x", "y" },
                [new WireShapeSpecs.Line("a", 1)], [new WireShapeSpecs.Line("b", 2)],
                System.Collections.Immutable.ImmutableDictionary<string, WireShapeSpecs.Line>.Empty.Add("k", new WireShapeSpecs.Line("c", 3)),
                new List<int?> { 1, null });
            var bytes = new ProtocolSerializer((ExtendedActorSystem)sender).ToBinary(tally);

            var read = (WireShapeSpecs.Tally)new ProtocolSerializer((ExtendedActorSystem)receiver).FromBinary(bytes, typeof(object));

            read.Should().BeEquivalentTo(tally);

            // What the sender's check (WireShape) keeps off the wire: the receiver could not read it.
            var frozen = tally with { Counts = System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(tally.Counts) };
            var frozenBytes = new ProtocolSerializer((ExtendedActorSystem)sender).ToBinary(frozen);
            var act = () => new ProtocolSerializer((ExtendedActorSystem)receiver).FromBinary(frozenBytes, typeof(object));
            act.Should().Throw<Exception>();
        }
        finally
        {
            await Task.WhenAll(sender.Terminate(), receiver.Terminate());
        }
    }

    public sealed record NotAllowed(string RequestId, string Payload) : IRequest;
}
