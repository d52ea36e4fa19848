using Actors.Client;
using Actors.Protocol;
using Akka.Actor;
using Akka.Configuration;

namespace Actors.TestSupport;

/// <summary>
/// An actor system that sends what an honest client never does: Akka's JSON with type names
/// for anything unregistered, and raw bytes under the protocol serializer's identifier.
/// </summary>
public static class Attacker
{
    public static ActorSystem Create(string name = "attacker") => ActorSystem.Create(name, ConfigurationFactory.ParseString($$"""
        akka.actor.serializers.json = "Akka.Serialization.NewtonSoftJsonSerializer, Akka"
        akka.actor.serializers.raw = "{{typeof(RawFrameSerializer).FullName}}, {{typeof(RawFrameSerializer).Assembly.GetName().Name}}"
        akka.actor.serializers.raw-client = "{{typeof(RawClientFrameSerializer).FullName}}, {{typeof(RawClientFrameSerializer).Assembly.GetName().Name}}"
        akka.actor.serialization-bindings { "{{typeof(RawFrame).FullName}}, {{typeof(RawFrame).Assembly.GetName().Name}}" = raw }
        akka.actor.serialization-bindings { "{{typeof(RawClientFrame).FullName}}, {{typeof(RawClientFrame).Assembly.GetName().Name}}" = raw-client }
        akka.loglevel = ERROR
        """).WithFallback(ActorsClient.Config()));

    /// <summary>A RequestBatch in a RequestBatch … <paramref name="depth"/> deep, serialized on a thread with room for it.</summary>
    public static byte[] NestedBatchBytes(ActorSystem system, int depth)
    {
        IRequest nested = new GetCounter("leaf", "k");
        for (var i = 0; i < depth; i++)
        {
            nested = new RequestBatch($"b{i}", [nested]);
        }

        byte[] bytes = [];
        // Hyperion, as members speak it (the attacker's own protocol serializer is the client port's).
        var hyperion = new Actors.Serialization.ProtocolSerializer((ExtendedActorSystem)system);
        var writer = new Thread(() => bytes = hyperion.ToBinary(nested), 1024 * 1024 * 1024);
        writer.Start();
        writer.Join();
        return bytes;
    }

    /// <summary>
    /// Hand-made frames of the client port's format (MessagePack, see ClientProtocolSerializer):
    /// a message is [type name, map of properties].
    /// </summary>
    public static byte[] ClientFrame(Action<MessagePackWriterBox> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePack.MessagePackWriter(buffer);
        var box = new MessagePackWriterBox();
        write(box);
        box.WriteTo(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The name a message type travels under on the client port.</summary>
    public static string TypeName<T>() => $"{typeof(T).FullName}, {typeof(T).Assembly.GetName().Name}";

    /// <summary>A GetCounter whose request id's length field says about 2 GB (the bytes are not there).</summary>
    public static byte[] GetCounterWithHugeLength() => ClientFrame(w => w
        .Array(2).String(TypeName<GetCounter>()).Map(2).String("Key").String("k").String("RequestId")
        .Raw(0xdb, 0x7f, 0xff, 0xff, 0xf0).Raw("abc"u8.ToArray()));

    /// <summary>A RequestBatch <paramref name="depth"/> batches deep, written without recursion.</summary>
    public static byte[] NestedClientBatch(int depth)
    {
        var level = ClientFrame(w => w.Array(2).String(TypeName<RequestBatch>()).Map(2).String("RequestId").String("b").String("Items").Array(1));
        var leaf = ClientFrame(w => w.Array(2).String(TypeName<GetCounter>()).Map(2).String("RequestId").String("leaf").String("Key").String("k"));
        var bytes = new byte[level.Length * depth + leaf.Length];
        for (var i = 0; i < depth; i++)
        {
            level.CopyTo(bytes, i * level.Length);
        }

        leaf.CopyTo(bytes, level.Length * depth);
        return bytes;
    }
}

/// <summary>Writes MessagePack tokens in order (a ref struct writer cannot be captured by a lambda).</summary>
public sealed class MessagePackWriterBox
{
    private readonly List<Token> _tokens = [];

    private delegate void Token(ref MessagePack.MessagePackWriter writer);

    public MessagePackWriterBox Array(int count) => Add((ref MessagePack.MessagePackWriter w) => w.WriteArrayHeader(count));
    public MessagePackWriterBox Map(int count) => Add((ref MessagePack.MessagePackWriter w) => w.WriteMapHeader(count));
    public MessagePackWriterBox String(string value) => Add((ref MessagePack.MessagePackWriter w) => w.Write(value));
    public MessagePackWriterBox Nil() => Add((ref MessagePack.MessagePackWriter w) => w.WriteNil());
    public MessagePackWriterBox Raw(params byte[] bytes) => Add((ref MessagePack.MessagePackWriter w) => w.WriteRaw(bytes));

    internal void WriteTo(ref MessagePack.MessagePackWriter writer)
    {
        foreach (var token in _tokens)
        {
            token(ref writer);
        }
    }

    private MessagePackWriterBox Add(Token token)
    {
        _tokens.Add(token);
        return this;
    }
}

/// <summary>Bytes sent as they are, tagged with the protocol serializer's identifier.</summary>
public sealed record RawFrame(byte[] Bytes);

/// <summary>Writes a <see cref="RawFrame"/> as its bytes; reads what the node sends back as the protocol serializer does (same identifier).</summary>
public sealed class RawFrameSerializer(ExtendedActorSystem system) : Akka.Serialization.Serializer(system)
{
    private readonly Actors.Serialization.ProtocolSerializer _protocol = new(system);

    public override int Identifier => 4712;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) => obj is RawFrame raw ? raw.Bytes : _protocol.ToBinary(obj);

    public override object FromBinary(byte[] bytes, Type type) => _protocol.FromBinary(bytes, type);
}

/// <summary>Bytes sent as they are, tagged with the client port's serializer identifier.</summary>
public sealed record RawClientFrame(byte[] Bytes);

/// <summary>Writes a <see cref="RawClientFrame"/> as its bytes; otherwise the client port's serializer (same identifier).</summary>
public sealed class RawClientFrameSerializer(ExtendedActorSystem system) : Akka.Serialization.Serializer(system)
{
    private readonly Actors.Serialization.ClientProtocolSerializer _protocol = new(system);

    public override int Identifier => _protocol.Identifier;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) => obj is RawClientFrame raw ? raw.Bytes : _protocol.ToBinary(obj);

    public override object FromBinary(byte[] bytes, Type type) => _protocol.FromBinary(bytes, type);
}
