using System.Reflection;
using Actors.Protocol;
using Akka.Configuration;

namespace Actors.Serialization;

/// <summary>
/// The message types a node or client accepts from the wire, rendered as HOCON
/// (<c>actors.serialization.registered-types</c>) for both protocol serializers.
/// </summary>
public static class ProtocolTypes
{
    /// <summary>
    /// The protocol serializer's allow-list: the concrete message types of the given assemblies
    /// and what their properties carry (records and enums of those assemblies, BCL value types
    /// such as TimeSpan or Guid). Anything else that arrives is refused before any of its code runs.
    /// </summary>
    public static Config For(IEnumerable<Assembly> contracts)
    {
        var assemblies = contracts.ToHashSet();
        var roots = assemblies
            .SelectMany(a => a.GetTypes())
            .Where(t => t is { IsAbstract: false, IsInterface: false, IsGenericTypeDefinition: false } &&
                        typeof(IActorsMessage).IsAssignableFrom(t) && t != typeof(UnreadableRequest));
        var names = CarriedTypes(roots, assemblies)
            .Select(t => $"\"{t.FullName}, {t.Assembly.GetName().Name}\"")
            .Order(StringComparer.Ordinal);
        return ConfigurationFactory.ParseString(
            $"actors.serialization.registered-types = [{string.Join(", ", names)}]");
    }

    private static HashSet<Type> CarriedTypes(IEnumerable<Type> roots, HashSet<Assembly> ours)
    {
        var allowed = new HashSet<Type>();
        var pending = new Stack<Type>(roots);
        while (pending.TryPop(out var type))
        {
            type = Nullable.GetUnderlyingType(type) ?? (type.IsArray ? type.GetElementType()! : type);
            if (type.IsPrimitive || type == typeof(string) || type.IsGenericParameter)
            {
                continue;
            }

            if (type.IsGenericType)
            {
                // Generic containers are not listed (their names are not matched); their arguments are.
                foreach (var argument in type.GetGenericArguments())
                {
                    pending.Push(argument);
                }

                continue;
            }

            var isOurs = ours.Contains(type.Assembly);
            if ((!isOurs && !type.IsValueType) || !allowed.Add(type) || !isOurs)
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                pending.Push(property.PropertyType);
            }
        }

        return allowed;
    }
}
