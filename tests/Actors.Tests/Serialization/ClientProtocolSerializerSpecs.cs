using Actors.Client;
using Actors.Protocol;
using Actors.Serialization;
using Actors.TestSupport;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Serialization;

/// <summary>
/// The client port's decoder: every message round-trips, and a frame that lies about its
/// lengths, nests too deep, names a type off the allow-list or puts one where it does not
/// belong is refused without allocating what it asks for.
/// </summary>
public sealed class ClientProtocolSerializerSpecs() : Akka.TestKit.Xunit2.TestKit(ActorsClient.Config())
{
    private ClientProtocolSerializer Serializer => (ClientProtocolSerializer)Sys.Serialization.FindSerializerForType(typeof(GetCounter));

    public static TheoryData<IActorsMessage> Messages() =>
    [
        new GetCounter("id-1", "k"),
        new AddToCounter("id-2", "k", -5),
        new EstimatePi("id-3", 1000),
        new SleepFor("id-4", 50),
        new RequestBatch("b", [new GetCounter("id-5", "k"), new AddToCounter("id-6", "k", 1)], AnswerAsCompleted: true),
        new BatchReply("b", [new CounterValue("id-5", "k", 3), new ErrorReply("id-6", ErrorCode.Overloaded, "busy", TimeSpan.FromMilliseconds(250))]),
        new ErrorReply("id-7", ErrorCode.InvalidRequest, "no"),
        new GetGatewayContacts(),
        new GatewayContacts(["127.0.0.1:4053", "127.0.0.1:4054"], Leaving: true),
        new GatewayContacts(["127.0.0.1:4053"], Leaving: false, [new ShardHomes("Actors.Protocol.ICounterCommand", [0, -1, 0])]),
        new TimedRequest(new GetCounter("id-8", "k"), TimeSpan.FromSeconds(5)),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_protocol_message_round_trips(IActorsMessage message)
    {
        var decoded = Serializer.FromBinary(Serializer.ToBinary(message), typeof(object));

        decoded.Should().BeOfType(message.GetType());
        if (message is not GetGatewayContacts)
        {
            decoded.Should().BeEquivalentTo(message, o => o.RespectingRuntimeTypes());
        }
    }

    [Fact]
    public void A_length_field_larger_than_the_frame_is_refused_without_allocating_it()
    {
        var frame = Attacker.GetCounterWithHugeLength();
        frame.Length.Should().BeLessThan(100);

        Decoding(frame).Allocated.Should().BeLessThan(1024 * 1024, "the 2 GB the length field names are never allocated");
        Decoding(Attacker.ClientFrame(w => w.Array(2).String(Attacker.TypeName<RequestBatch>()).Map(2).String("RequestId").String("b")
            .String("Items").Raw(0xdd, 0x7f, 0xff, 0xff, 0xff))).Allocated.Should().BeLessThan(1024 * 1024, "nor an array of 2^31 items");
    }

    [Fact]
    public void A_batch_nested_fifteen_thousand_deep_is_refused_at_the_depth_limit()
    {
        var frame = Attacker.NestedClientBatch(15_000);
        frame.Length.Should().BeLessThan(1024 * 1024, "it fits in one frame");

        Decoding(frame).Error.Message.Should().Contain("depth");
        Serializer.FromBinary(Attacker.NestedClientBatch(3), typeof(object)).Should().BeOfType<RequestBatch>();
    }

    [Fact]
    public void Types_off_the_allow_list_and_types_out_of_place_are_refused()
    {
        Decoding(Attacker.ClientFrame(w => w.Array(2).String("System.Version, System.Private.CoreLib").Map(0)))
            .Error.Message.Should().Contain("not an accepted message type");
        Decoding(Attacker.ClientFrame(w => w.Array(2).String(Attacker.TypeName<RequestBatch>()).Map(2).String("RequestId").String("b")
                .String("Items").Array(1).Array(2).String(Attacker.TypeName<CounterValue>()).Map(0)))
            .Error.Message.Should().Contain("where a IRequest belongs");
    }

    [Fact]
    public void A_request_of_a_type_off_the_list_is_read_as_unreadable_with_its_id_and_nothing_else()
    {
        // Its body is skipped unread, however deeply nested (no recursion: 200,000 levels here).
        var deep = Enumerable.Repeat((byte)0x91, 200_000).Append((byte)0xc0).ToArray();
        var decoded = Serializer.FromBinary(Attacker.ClientFrame(w => w.Array(2).String(Attacker.TypeName<TimedRequest>()).Map(2)
            .String("Request").Array(2).String("Team.Contracts.PlaceOrder, Team.Contracts")
            .Map(3).String("Lines").Raw(deep).String("RequestId").String("r9").String("Note").Map(1).String("a").Array(0)
            .String("Remaining").Raw(0x01)), typeof(object));

        decoded.Should().BeOfType<TimedRequest>().Which.Request.Should()
            .Be(new UnreadableRequest("r9", "Team.Contracts.PlaceOrder, Team.Contracts"));
        Decoding(Attacker.ClientFrame(w => w.Array(2).String("Team.Contracts.PlaceOrder, Team.Contracts").Map(1).String("RequestId").String("r9")))
            .Error.Message.Should().Contain("not an accepted message type", "only a request slot has an id to answer by");
        Decoding(Attacker.ClientFrame(w => w.Array(2).String(Attacker.TypeName<UnreadableRequest>()).Map(2).String("RequestId").String("r9")
                .String("TypeName").String("x")))
            .Error.Message.Should().Contain("not an accepted message type", "the decoder alone makes one");
    }

    [Fact]
    public void An_envelope_or_batch_with_an_empty_message_slot_is_refused()
    {
        // Read as a null request, either would reach the gateway, lanes and entities.
        Decoding(Attacker.ClientFrame(w => w.Array(2).String(Attacker.TypeName<TimedRequest>()).Map(2).String("Request").Nil()
                .String("Remaining").Raw(0x01)))
            .Error.Message.Should().Contain("an empty IRequest slot");
        Decoding(Attacker.ClientFrame(w => w.Array(2).String(Attacker.TypeName<RequestBatch>()).Map(2).String("RequestId").String("b")
                .String("Items").Array(1).Nil()))
            .Error.Message.Should().Contain("an empty IRequest slot");
    }

    [Fact]
    public void A_frame_that_would_allocate_more_than_the_bound_is_refused()
    {
        // A million empty strings: one byte each on the wire, eight bytes each as an array of references.
        var items = new byte[1_000_000];
        Array.Fill(items, (byte)0xa0);
        var frame = Attacker.ClientFrame(w => w.Array(2).String(Attacker.TypeName<GatewayContacts>()).Map(2).String("Leaving").Raw(0xc2)
            .String("Contacts").Raw(0xdd, 0x00, 0x0f, 0x42, 0x40).Raw(items));

        var (error, allocated) = Decoding(frame);

        error.Message.Should().Contain("max-decode-allocation");
        allocated.Should().BeLessThan(9 * frame.Length, "at most eight bytes per byte of frame before the refusal");
    }

    private (Exception Error, long Allocated) Decoding(byte[] frame)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = FluentActions.Invoking(() => Serializer.FromBinary(frame, typeof(object)))
            .Should().Throw<System.Runtime.Serialization.SerializationException>().Which;
        return (error, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
