using Actors.Protocol;
using Akka.Cluster.Sharding;

namespace Actors.Entities;

/// <summary>Maps a keyed request to its entity (by key) and shard (by a stable hash of the key).</summary>
public sealed class EntityMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => ((message as Gateway.RoutedRequest)?.Request as IKeyedRequest)?.Key;
}
