using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using Actors.Hosting;
using Akka.Actor;

namespace Actors.Serialization;

/// <summary>
/// Whether a message can travel between members as it is: every object in it of a type on the
/// <see cref="AllowList"/>, checked against the concrete types it holds (a property declared
/// <c>IReadOnlyDictionary</c> may hold a class the wire refuses). Hyperion checks types only on
/// the receiving member, where a refusal drops the message and its caller waits for the deadline;
/// checked here, before it is sent, the request or reply is answered with an error naming the
/// type instead. A type whose fields can hold only allowed types (sealed or value types, all the
/// way down) is decided once; only what an interface, abstract or object field holds is looked at
/// per message.
/// </summary>
public sealed class WireShape(AllowList allow) : IExtension
{
    private const int MaxDepth = 64;

    private readonly ConcurrentDictionary<Type, FieldInfo[]?> _openFields = new();

    /// <summary>The check for <paramref name="system"/>'s allow-list.</summary>
    public static WireShape Of(ActorSystem system) => system.WithExtension<WireShape, WireShapes>();

    /// <summary>Null when <paramref name="message"/> can travel; otherwise what in it cannot, and what to do.</summary>
    public string? Refusal(object message) => Unsendable(message, 0) is { } type
        ? $"{message.GetType().Name} cannot travel between members: it holds a {type}, which the wire does not take " +
          "(register the assembly of your own types; a collection must be an array, List, Dictionary, HashSet or an immutable " +
          "one of allowed types, see actors.serialization.allowed-generic-types)"
        : null;

    private string? Unsendable(object? value, int depth)
    {
        if (value is null)
        {
            return null;
        }

        var type = value.GetType();
        if (!allow.IsAllowed(type))
        {
            return type.ToString();
        }

        if (depth > MaxDepth)
        {
            return $"nesting deeper than {MaxDepth} levels";
        }

        if (OpenFields(type) is not { } open)
        {
            return null;
        }

        if (value is IEnumerable items and not string && (type.IsArray || type.IsConstructedGenericType))
        {
            foreach (var item in items)
            {
                if (Unsendable(item, depth + 1) is { } found)
                {
                    return found;
                }
            }

            return null;
        }

        foreach (var field in open)
        {
            if (Unsendable(field.GetValue(value), depth + 1) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>Null when every value of <paramref name="type"/> travels; otherwise its fields to look into (none for a container: its items).</summary>
    private FieldInfo[]? OpenFields(Type type) => _openFields.TryGetValue(type, out var open) ? open : Decide(type, []);

    private FieldInfo[]? Decide(Type type, HashSet<Type> deciding)
    {
        if (_openFields.TryGetValue(type, out var known))
        {
            return known;
        }

        FieldInfo[]? open;
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type.Namespace == "System" && type.Assembly == typeof(object).Assembly && !type.IsGenericType)
        {
            open = null;
        }
        else if (!deciding.Add(type))
        {
            // A type that holds itself (a tree): looked into per message.
            return [];
        }
        else if (type.IsArray || type.IsConstructedGenericType && type.GetInterface(nameof(IEnumerable)) is not null)
        {
            var items = type.IsArray ? [type.GetElementType()!] : type.GetGenericArguments();
            open = items.All(t => Travels(t, deciding)) ? null : [];
        }
        else
        {
            open = Fields(type).Where(f => !Travels(f.FieldType, deciding)).ToArray();
            open = open.Length == 0 ? null : open;
        }

        deciding.Remove(type);
        return _openFields[type] = open;
    }

    /// <summary>Whatever a slot of this declared type holds travels: the type is exact (sealed or a value type), allowed, and so is everything in it.</summary>
    private bool Travels(Type declared, HashSet<Type> deciding) =>
        (declared.IsSealed || declared.IsValueType) && allow.IsAllowed(declared) && Decide(declared, deciding) is null;

    private static IEnumerable<FieldInfo> Fields(Type type)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                yield return field;
            }
        }
    }
}

/// <summary>Makes each actor system's <see cref="WireShape"/> from its configured allow-list.</summary>
public sealed class WireShapes : ExtensionIdProvider<WireShape>
{
    public override WireShape CreateExtension(ExtendedActorSystem system) =>
        new(AllowList.From(system.Settings.Config.WithFallback(ActorsConfig.Wire)));
}
