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
        akka.actor.serialization-bindings { "{{typeof(RawFrame).FullName}}, {{typeof(RawFrame).Assembly.GetName().Name}}" = raw }
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
        var writer = new Thread(() => bytes = system.Serialization.FindSerializerFor(nested).ToBinary(nested), 1024 * 1024 * 1024);
        writer.Start();
        writer.Join();
        return bytes;
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
