using System.Collections.Frozen;
using Akka.Configuration;
using ITypeFilter = Hyperion.ITypeFilter;

namespace Actors.Serialization;

/// <summary>Allows exactly the listed types, named "Namespace.Type, Assembly" with or without version.</summary>
public sealed class AllowList(IEnumerable<string> allowed) : ITypeFilter
{
    private readonly FrozenSet<string> _allowed = allowed.Select(Normalize).OfType<string>().ToFrozenSet(StringComparer.Ordinal);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> _byType = new();

    /// <summary>The listed names: the registered protocol types and any allowed in HOCON.</summary>
    public static IEnumerable<string> Names(Config config) => config.GetStringList("actors.serialization.registered-types")
        .Concat(config.GetStringList("actors.serialization.allowed-types"));

    public bool IsAllowed(string typeName) => Normalize(typeName) is { } name && _allowed.Contains(name);

    public bool IsAllowed(Type type) => _byType.GetOrAdd(type, t => IsAllowed($"{t.FullName}, {t.Assembly.GetName().Name}"));

    /// <summary>
    /// "A.B, Asm, Version=..., ..." → "A.B, Asm"; an array "A.B[], Asm" stands for its element
    /// type. Null for anything else, generic types included.
    /// </summary>
    private static string? Normalize(string typeName)
    {
        if (string.IsNullOrEmpty(typeName))
        {
            return null;
        }

        var parts = typeName.Split(',', 3, StringSplitOptions.TrimEntries);
        if (parts.Length < 2 || parts[1].Length == 0)
        {
            return null;
        }

        var name = parts[0].EndsWith("[]", StringComparison.Ordinal) ? parts[0][..^2] : parts[0];
        return name.Length > 0 && !name.Contains('[') ? $"{name}, {parts[1]}" : null;
    }
}
