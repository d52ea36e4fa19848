using Akka.Util;

namespace Actors.Protocol;

/// <summary>The shard of a key, as the nodes' shard regions compute it (Akka's HashCodeMessageExtractor over the key).</summary>
public static class KeyShard
{
    /// <summary>The shard of <paramref name="key"/> among <paramref name="shards"/>; -1 for the one hash Akka's formula cannot take.</summary>
    public static int Of(string key, int shards)
    {
        var hash = MurmurHash.StringHash(key);
        // Math.Abs(int.MinValue) throws in Akka's extractor; a client just routes that key like any unkeyed request.
        return shards <= 0 || hash == int.MinValue ? -1 : Math.Abs(hash) % shards;
    }
}
