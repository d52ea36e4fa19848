using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace Actors.Serialization;

/// <summary>
/// Hyperion for requests and replies, locked down to our own message types
/// (<c>actors.serialization.registered-types</c>, filled by the hosting code from the registered
/// protocol assemblies, plus any <c>actors.serialization.allowed-types</c> from HOCON) on top of
/// Hyperion's unsafe-type block list.
/// </summary>
/// <remarks>
/// Hyperion 0.12's own <c>allowed-types</c> filter compares the full assembly-qualified name on
/// serialize with short names in its list, so it refuses every allowed type on the sending side.
/// This filter accepts both spellings of exactly the allowed types.
/// </remarks>
public sealed class ProtocolSerializer : Akka.Serialization.Serializer
{
    private readonly HyperionSerializer _hyperion;
    private readonly Hyperion.Serializer _reader;
    private readonly AllowList _allowList;
    private readonly long _stackBudget;

    public ProtocolSerializer(ExtendedActorSystem system) : base(system)
    {
        var config = system.Settings.Config.WithFallback(Hosting.NodeConfig.Defaults);
        _stackBudget = config.GetByteSize("actors.serialization.decode-stack-budget")
                       ?? throw new Akka.Configuration.ConfigurationException("actors.serialization.decode-stack-budget is not set");
        var hyperion = HyperionSerializerSettings.Create(
            config.GetConfig("akka.actor.serialization-settings.hyperion") ?? Config.Empty);
        _allowList = AllowList.From(config);
        _hyperion = new HyperionSerializer(system, new HyperionSerializerSettings(
            hyperion.PreserveObjectReferences, hyperion.VersionTolerance, hyperion.KnownTypesProvider,
            hyperion.PackageNameOverrides, hyperion.Surrogates, disallowUnsafeType: true, typeFilter: new TypeFilter(_allowList)));
        // Akka's wrapper reads from a stream of its own; we read through a stack guard (see
        // StackGuardStream) with the same configured Hyperion. A spec fails if the field goes.
        _reader = typeof(HyperionSerializer).GetField("_serializer", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
                      ?.GetValue(_hyperion) as Hyperion.Serializer
                  ?? throw new InvalidOperationException("Akka.Serialization.Hyperion no longer holds a Hyperion.Serializer in _serializer");
    }

    public override int Identifier => 4712;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) => _hyperion.ToBinary(obj);

    public override object FromBinary(byte[] bytes, Type type)
    {
        object message;
        try
        {
            using var stream = new StackGuardStream(bytes, _stackBudget);
            message = _reader.Deserialize<object>(stream);
        }
        catch (Exception e) when (e is InsufficientExecutionStackException or TypeLoadException or NotSupportedException or ArgumentException
                                       or InvalidCastException or IndexOutOfRangeException or EndOfStreamException or OverflowException)
        {
            throw new System.Runtime.Serialization.SerializationException($"undecodable message: {e.Message}", e);
        }

        // Checked again on the result: Hyperion caches resolved type names per serializer and
        // consults the filter only on a cache miss.
        // An envelope without its payload would reach lanes and entities as a null request.
        return message is not null and not Gateway.RoutedRequest { Request: null } and not Gateway.RoutedReply { Reply: null } &&
               _allowList.IsAllowed(message.GetType())
            ? message
            : throw new System.Runtime.Serialization.SerializationException(
                $"{message?.GetType().FullName ?? "null"} is not an accepted message type (actors.serialization.registered-types / allowed-types)");
    }

    /// <summary>Hyperion asks the allow-list by the names it reads.</summary>
    private sealed class TypeFilter(AllowList allowList) : Hyperion.ITypeFilter
    {
        public bool IsAllowed(string typeName) => allowList.IsAllowed(typeName);
    }
}
