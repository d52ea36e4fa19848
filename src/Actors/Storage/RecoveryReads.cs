using System.Collections.Concurrent;
using Akka.Actor;

namespace Actors.Storage;

/// <summary>
/// How well recovery reads (and snapshot writes) were gathered, per plugin id: queries run and
/// persistence ids they carried (ids per query is what batching achieves), for specs and
/// operators reading a live node.
/// </summary>
public sealed class RecoveryReads : IExtension
{
    private readonly ConcurrentDictionary<string, Func<Counts>> _sources = new();

    public static RecoveryReads Get(ActorSystem system) => system.WithExtension<RecoveryReads, RecoveryReadsProvider>();

    /// <summary>The name a journal's batched replays are counted under (its highest-number reads are under its id).</summary>
    public static string Replays(string pluginId) => pluginId + "#replay";

    /// <summary>The name a snapshot store's gathered saves and deletes are counted under (one transaction per query).</summary>
    public static string Writes(string pluginId) => pluginId + "#writes";

    /// <summary>What <paramref name="pluginId"/> has read so far (zeros if it has not started).</summary>
    public Counts Of(string pluginId) => _sources.TryGetValue(pluginId, out var source) ? source() : new Counts(0, 0, 0);

    // A restarted plugin actor replaces its predecessor's counts.
    internal void Track<TKey, TResult>(string? pluginId, QueryBatcher<TKey, TResult> batcher)
        where TKey : notnull => _sources[pluginId ?? ""] = () => new Counts(batcher.Queries, batcher.Keys, batcher.Waiting);

    /// <param name="Queries">Queries run.</param>
    /// <param name="Ids">Persistence ids those queries carried.</param>
    /// <param name="Waiting">Ids asked for and not in a query yet.</param>
    public sealed record Counts(long Queries, long Ids, int Waiting);
}

/// <summary>Creates <see cref="RecoveryReads"/> once per actor system.</summary>
public sealed class RecoveryReadsProvider : ExtensionIdProvider<RecoveryReads>
{
    public override RecoveryReads CreateExtension(ExtendedActorSystem system) => new();
}
