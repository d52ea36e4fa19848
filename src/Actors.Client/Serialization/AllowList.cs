using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection.Metadata;
using Akka.Configuration;

namespace Actors.Serialization;

/// <summary>
/// The types a message may be made of, as Hyperion names them on the wire or as they are at run
/// time: the listed types ("Namespace.Type, Assembly", with or without version), arrays of allowed
/// types, the listed generic definitions closed over allowed types (at any depth), and plain
/// scalars (string, numbers, Guid, TimeSpan, dates). Nothing else: an <c>IReadOnlyDictionary</c>
/// travels as its concrete class, which must be one of the listed definitions.
/// </summary>
public sealed class AllowList
{
    // What the built-in scalars are named by, and DictionaryEntry, which Hyperion writes a
    // Dictionary's entries as (their keys and values are checked as types of their own).
    private static readonly FrozenSet<string> Scalars = new[]
    {
        typeof(string), typeof(bool), typeof(char), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int),
        typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal), typeof(Guid), typeof(TimeSpan),
        typeof(DateTime), typeof(DateTimeOffset), typeof(DateOnly), typeof(TimeOnly), typeof(System.Collections.DictionaryEntry),
    }.Select(t => t.FullName!).ToFrozenSet(StringComparer.Ordinal);

    private static readonly TypeNameParseOptions ParseLimits = new() { MaxNodes = 32 };

    private readonly FrozenSet<string> _allowed;
    private readonly FrozenSet<string> _generics;
    private readonly ConcurrentDictionary<Type, bool> _byType = new();

    public AllowList(IEnumerable<string> allowed, IEnumerable<string>? genericDefinitions = null)
    {
        _allowed = allowed.Select(Key).OfType<string>().ToFrozenSet(StringComparer.Ordinal);
        _generics = (genericDefinitions ?? []).Select(Key).OfType<string>().ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The allow-list a node or client configures: registered and allowed types, allowed generic definitions.</summary>
    public static AllowList From(Config config) =>
        new(Names(config), config.GetStringList("actors.serialization.allowed-generic-types"));

    /// <summary>The listed names: the registered protocol types and any allowed in HOCON.</summary>
    public static IEnumerable<string> Names(Config config) => config.GetStringList("actors.serialization.registered-types")
        .Concat(config.GetStringList("actors.serialization.allowed-types"));

    /// <summary>A type as named on the wire (Hyperion's spelling included).</summary>
    public bool IsAllowed(string typeName) =>
        !string.IsNullOrEmpty(typeName) &&
        // Hyperion shortens the core library's version, culture and key to this token.
        TypeName.TryParse(typeName.Replace(",%core%", "", StringComparison.Ordinal), out var parsed, ParseLimits) &&
        IsAllowed(parsed);

    public bool IsAllowed(Type type) => _byType.GetOrAdd(type, t => t switch
    {
        { IsSZArray: true } => IsAllowed(t.GetElementType()!),
        { IsArray: true } or { IsPointer: true } or { IsByRef: true } or { IsGenericParameter: true } => false,
        { IsConstructedGenericType: true } => _generics.Contains(KeyOf(t.GetGenericTypeDefinition())) &&
                                              t.GetGenericArguments().All(IsAllowed),
        _ => Scalars.Contains(t.FullName ?? "") && t.Assembly == typeof(object).Assembly || _allowed.Contains(KeyOf(t)),
    });

    private bool IsAllowed(TypeName name) => name switch
    {
        { IsSZArray: true } => IsAllowed(name.GetElementType()),
        { IsArray: true } or { IsPointer: true } or { IsByRef: true } => false,
        { IsConstructedGenericType: true } => Key(name.GetGenericTypeDefinition()) is { } definition && _generics.Contains(definition) &&
                                              name.GetGenericArguments().All(IsAllowed),
        _ => name.AssemblyName?.Name is "System.Private.CoreLib" or "mscorlib" && Scalars.Contains(name.FullName) ||
             Key(name) is { } key && _allowed.Contains(key),
    };

    private static string KeyOf(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    /// <summary>"A.B, Asm, Version=..." → "A.B, Asm"; null when the name has no assembly or does not parse.</summary>
    private static string? Key(string typeName) =>
        TypeName.TryParse(typeName, out var parsed, ParseLimits) ? Key(parsed) : null;

    private static string? Key(TypeName name) =>
        name.AssemblyName?.Name is { Length: > 0 } assembly && !name.IsArray && !name.IsConstructedGenericType
            ? $"{name.FullName}, {assembly}"
            : null;
}
