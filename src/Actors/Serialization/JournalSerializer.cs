using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using Actors.Entities;
using Akka.Actor;
using Akka.Serialization;

namespace Actors.Serialization;

/// <summary>
/// Journal and snapshot format: UTF-8 JSON of the record, stored under the manifest its type
/// declares with <see cref="JournalManifestAttribute"/>. Neither .NET type names nor Hyperion's
/// binary layout reach the database, so a journal survives renames, runtime and serializer
/// upgrades. A golden-file test pins the bytes.
/// </summary>
public sealed class JournalSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The options every journaled record is written and read with.</summary>
    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Fields added later default on old events instead of failing their recovery.
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    private static readonly ConcurrentDictionary<Type, string> ManifestByType = new();
    private static volatile Dictionary<string, Type> _typeByManifest = new();
    private static readonly Lock ScanLock = new();

    public override int Identifier => 4711;

    public override byte[] ToBinary(object obj) => ToUtf8(obj);

    public override object FromBinary(byte[] bytes, string manifest) => FromUtf8(bytes, manifest);

    /// <summary>A journaled value's JSON.</summary>
    public static byte[] ToUtf8(object value) => value is JournaledWrite write
        ? JournaledWriteJson.ToUtf8(write)
        : JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), Options);

    /// <summary>The value a journaled JSON holds, by its manifest.</summary>
    public static object FromUtf8(ReadOnlySpan<byte> utf8, string manifest) =>
        JsonSerializer.Deserialize(utf8, TypeOf(manifest), Options)
        ?? throw new SerializationException($"journal entry '{manifest}' deserialized to null");

    public override string Manifest(object o) => ManifestOf(o.GetType());

    /// <summary>A journaled value as a JSON element, for nesting inside another journaled record.</summary>
    public static System.Text.Json.JsonElement ToElement(object value) => JsonSerializer.SerializeToElement(value, value.GetType(), Options);

    /// <summary>The value a nested JSON element holds, by its manifest.</summary>
    public static object FromElement(System.Text.Json.JsonElement element, string manifest) =>
        element.Deserialize(TypeOf(manifest), Options)
        ?? throw new SerializationException($"journal entry '{manifest}' deserialized to null");

    /// <summary>The manifest a journaled type is stored under; throws if it declares none.</summary>
    public static string ManifestOf(Type type) => ManifestByType.GetOrAdd(type, static t =>
        t.GetCustomAttribute<JournalManifestAttribute>()?.Manifest
        ?? throw new SerializationException(
            $"{t.FullName} is journaled but has no [JournalManifest(\"name.v1\")]; add one so its journal format is stable"));

    /// <summary>The type stored under a manifest, found among the loaded assemblies.</summary>
    public static Type TypeOf(string manifest)
    {
        if (_typeByManifest.TryGetValue(manifest, out var type))
        {
            return type;
        }

        // A miss means an assembly loaded since the last scan (or a bad journal row): scan again once.
        lock (ScanLock)
        {
            _typeByManifest = Scan();
        }

        return _typeByManifest.TryGetValue(manifest, out type)
            ? type
            : throw new SerializationException($"no loaded type declares [JournalManifest(\"{manifest}\")]");
    }

    private static Dictionary<string, Type> Scan()
    {
        var map = new Dictionary<string, Type>(StringComparer.Ordinal);
        var self = typeof(JournalSerializer).Assembly.GetName().Name;
        var candidates = AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic &&
            (a.GetName().Name == self || a.GetReferencedAssemblies().Any(r => r.Name == self)));
        foreach (var assembly in candidates)
        {
            Type?[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                types = e.Types;
            }

            foreach (var t in types)
            {
                if (t?.GetCustomAttribute<JournalManifestAttribute>() is not { } attribute)
                {
                    continue;
                }

                if (map.TryGetValue(attribute.Manifest, out var other) && other != t)
                {
                    throw new SerializationException(
                        $"journal manifest '{attribute.Manifest}' is declared by both {other.FullName} and {t.FullName}");
                }

                map[attribute.Manifest] = t;
            }
        }

        return map;
    }
}
