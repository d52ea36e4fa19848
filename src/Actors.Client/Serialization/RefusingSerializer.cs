using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;

namespace Actors.Serialization;

/// <summary>
/// Takes the place of Akka's default JSON serializer (<c>akka.actor.serializers.json</c>,
/// identifier 1), which reads type names from the wire and so could instantiate any type a peer
/// names. Every type that is not bound to a serializer of its own falls to this one and is
/// refused both ways: control messages (the drain before leaving, stats, timers) stay local-only,
/// and nothing a peer tags with identifier 1 is read.
/// </summary>
public sealed class RefusingSerializer : Akka.Serialization.Serializer
{
    public RefusingSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <summary>Akka passes the settings of the name it replaces (<c>serialization-settings.json</c>): unused.</summary>
    public RefusingSerializer(ExtendedActorSystem system, Config settings) : base(system)
    {
    }

    public override int Identifier => 1;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) => throw new SerializationException(
        $"{obj.GetType().FullName} has no wire format here: it is local to this process, or not a registered message type " +
        "(requests, replies and what they carry are registered with AddActors / ActorsClient)");

    public override object FromBinary(byte[] bytes, Type type) => throw new SerializationException(
        "refused a message in Akka's default JSON format: this system reads only registered message types");
}
