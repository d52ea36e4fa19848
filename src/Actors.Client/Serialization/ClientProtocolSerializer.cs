using System.Collections.Concurrent;
using System.Collections.Frozen;
using Actors.Protocol;
using Akka.Actor;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Actors.Serialization;

/// <summary>
/// The wire format between clients and a node's gateway endpoint: MessagePack with its
/// untrusted-data settings, instead of Hyperion, which allocates whatever a length field says
/// before it reads the bytes (four small frames made a node allocate 1.4 GB). MessagePack checks
/// every length against the bytes left, bounds the nesting depth
/// (<c>actors.serialization.max-depth</c>), and this serializer stops a decode that has allocated
/// more than <c>actors.serialization.max-decode-allocation</c>. A message is <c>[type, body]</c>
/// wherever the static type is an interface; the type must be on the same allow-list as
/// Hyperion's and fit the slot (a reply where a request belongs is refused). Bodies are plain
/// maps of the records' public properties: no type names anywhere else.
/// </summary>
public sealed class ClientProtocolSerializer : Akka.Serialization.Serializer
{
    private readonly MessagePackSerializerOptions _options;
    private readonly long _maxAllocation;

    public ClientProtocolSerializer(ExtendedActorSystem system) : base(system)
    {
        var config = system.Settings.Config.WithFallback(Hosting.ActorsConfig.Wire);
        _maxAllocation = config.GetByteSize("actors.serialization.max-decode-allocation")
                         ?? throw new Akka.Configuration.ConfigurationException("actors.serialization.max-decode-allocation is not set");
        var resolver = CompositeResolver.Create(new MessageResolver(new TypeIndex(AllowList.Names(config))),
            ContractlessStandardResolver.Instance);
        _options = MessagePackSerializerOptions.Standard
            .WithResolver(resolver)
            .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(config.GetInt("actors.serialization.max-depth")));
    }

    public override int Identifier => 4714;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) => obj is IActorsMessage message
        ? MessagePackSerializer.Serialize(message, _options)
        : throw new System.Runtime.Serialization.SerializationException($"{obj.GetType().FullName} is not a protocol message");

    public override object FromBinary(byte[] bytes, Type type)
    {
        IActorsMessage? message;
        Allocation.Start(_maxAllocation);
        try
        {
            message = MessagePackSerializer.Deserialize<IActorsMessage>(bytes, _options);
            // Checked at every message inside and once more at the end (an array of empty strings allocates 8 bytes a byte).
            Allocation.Check();
        }
        catch (MessagePackSerializationException e)
        {
            throw new System.Runtime.Serialization.SerializationException($"undecodable message: {Innermost(e).Message}", e);
        }

        return message ?? throw new System.Runtime.Serialization.SerializationException("an empty message");
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    /// <summary>Allocation on this thread since the decode began.</summary>
    private static class Allocation
    {
        [ThreadStatic] private static long _started;
        [ThreadStatic] private static long _limit;

        public static void Start(long limit)
        {
            _limit = limit;
            _started = GC.GetAllocatedBytesForCurrentThread();
        }

        public static void Check()
        {
            if (_limit > 0 && GC.GetAllocatedBytesForCurrentThread() - _started > _limit)
            {
                throw new MessagePackSerializationException($"decoding would allocate more than {_limit} bytes (actors.serialization.max-decode-allocation)");
            }
        }
    }

    /// <summary>The allowed message types by name ("Namespace.Type, Assembly"), both ways.</summary>
    private sealed class TypeIndex
    {
        private readonly FrozenDictionary<string, Type> _byName;
        private readonly FrozenDictionary<Type, string> _byType;

        public TypeIndex(IEnumerable<string> names)
        {
            var types = names.Select(n => Type.GetType(n, throwOnError: false))
                .OfType<Type>()
                .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IActorsMessage).IsAssignableFrom(t))
                .Distinct()
                .ToList();
            _byType = types.ToFrozenDictionary(t => t, t => $"{t.FullName}, {t.Assembly.GetName().Name}");
            _byName = _byType.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        }

        public string NameOf(Type type) => _byType.TryGetValue(type, out var name) ? name
            : throw new MessagePackSerializationException($"{type.FullName} is not an accepted message type (actors.serialization.registered-types / allowed-types)");

        public Type? TypeOf(string? name) => name is not null && _byName.TryGetValue(name, out var type) ? type : null;
    }

    /// <summary>Formatters for interface-typed slots (IActorsMessage, IRequest, IReply, ...): <c>[type, body]</c>.</summary>
    private sealed class MessageResolver(TypeIndex types) : IFormatterResolver
    {
        private readonly ConcurrentDictionary<Type, object?> _formatters = new();

        public IMessagePackFormatter<T>? GetFormatter<T>() => (IMessagePackFormatter<T>?)_formatters.GetOrAdd(typeof(T), static (slot, index) =>
            (slot.IsInterface || slot.IsAbstract) && typeof(IActorsMessage).IsAssignableFrom(slot)
                ? Activator.CreateInstance(typeof(MessageFormatter<>).MakeGenericType(slot), index)
                : null, types);
    }

    private const int MaxUnreadableName = 512;

    /// <summary>The id from a request body of an unknown type (a map of its properties); every other value skipped unread.</summary>
    private static UnreadableRequest Unreadable(ref MessagePackReader reader, string name)
    {
        var id = "";
        for (var fields = reader.ReadMapHeader(); fields > 0; fields--)
        {
            if (reader.ReadString() == nameof(IRequest.RequestId) && reader.NextMessagePackType == MessagePackType.String)
            {
                id = reader.ReadString() ?? "";
                continue;
            }

            SkipValue(ref reader);
        }

        return new UnreadableRequest(id, name);
    }

    /// <summary>Skips one value without recursion (MessagePack's Skip recurses once per level of nesting).</summary>
    private static void SkipValue(ref MessagePackReader reader)
    {
        // Every value takes at least one byte, so the frame's length bounds the loop.
        for (long values = 1; values > 0; values--)
        {
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Array:
                    values += reader.ReadArrayHeader();
                    break;
                case MessagePackType.Map:
                    values += 2L * reader.ReadMapHeader();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    private sealed class MessageFormatter<T>(TypeIndex types) : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            var type = value.GetType();
            writer.WriteArrayHeader(2);
            writer.Write(types.NameOf(type));
            MessagePackSerializer.Serialize(type, ref writer, value, options);
        }

        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            // No message slot is optional: an envelope without its request would reach the gateway,
            // lanes and entities as a null request, a batch with a hole as a null item.
            if (reader.TryReadNil())
            {
                throw new MessagePackSerializationException($"an empty {typeof(T).Name} slot");
            }

            options.Security.DepthStep(ref reader);
            try
            {
                if (reader.ReadArrayHeader() != 2)
                {
                    throw new MessagePackSerializationException("a message is [type, body]");
                }

                var name = reader.ReadString();
                var type = types.TypeOf(name);
                if (type is null && typeof(T) == typeof(IRequest) && name is { Length: > 0 and <= MaxUnreadableName })
                {
                    // A request the node's contracts do not hold: answered UnknownRequest by its id, not dropped.
                    return (T)(object)Unreadable(ref reader, name);
                }

                if (type is null)
                {
                    throw new MessagePackSerializationException($"{name} is not an accepted message type");
                }

                if (!typeof(T).IsAssignableFrom(type))
                {
                    throw new MessagePackSerializationException($"a {type.Name} where a {typeof(T).Name} belongs");
                }

                Allocation.Check();
                return (T)MessagePackSerializer.Deserialize(type, ref reader, options)!;
            }
            finally
            {
                reader.Depth--;
            }
        }
    }
}
