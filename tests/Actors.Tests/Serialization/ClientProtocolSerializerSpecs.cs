using Actors.Client;
using Actors.Gateway;
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
        new BatchReply("b", [new CounterValue("id-5", "k", 3), new ErrorReply("id-6", ErrorCode.Overloaded, "busy", TimeSpan.FromMilliseconds(250)), null!]),
        new ErrorReply("id-7", ErrorCode.InvalidRequest, "no"),
        new GetGatewayContacts(),
        new GatewayContacts(["127.0.0.1:4053", "127.0.0.1:4054"], Leaving: true),
        new RoutedRequest(Guid.NewGuid(), new GetCounter("id-8", "k"), new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc)),
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
    public void A_frame_that_would_allocate_more_than_the_bound_is_refused()
    {
        // A million nil items: one byte each on the wire, eight bytes each as an array of references.
        var items = new byte[1_000_000];
        Array.Fill(items, (byte)0xc0);
        var frame = Attacker.ClientFrame(w => w.Array(2).String(Attacker.TypeName<RequestBatch>()).Map(2).String("RequestId").String("b")
            .String("Items").Raw(0xdd, 0x00, 0x0f, 0x42, 0x40).Raw(items));

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
