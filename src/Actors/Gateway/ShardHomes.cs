using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;

namespace Actors.Gateway;

/// <summary>
/// Where each entity type's shards live, as last read from the cluster: written by
/// <see cref="ShardHomesReader"/> in the member system, read by the client endpoint's
/// <see cref="FrontGateway"/> when a client asks for contacts (hence a shared, swapped snapshot).
/// </summary>
internal sealed class ShardHomesBoard
{
    private volatile IReadOnlyList<(string CommandType, Address?[] Homes)> _current = [];

    /// <summary>Per entity type (its command interface's full name), the member hosting each shard; null: not known.</summary>
    public IReadOnlyList<(string CommandType, Address?[] Homes)> Current
    {
        get => _current;
        set => _current = value;
    }
}

/// <summary>
/// Reads every entity type's shard locations (<see cref="GetClusterShardingStats"/>) each
/// <c>actors.endpoint.shard-homes-interval</c>, so clients can send a key's requests to the member
/// that hosts it. A stale table only costs a hop: a request sent to another member still reaches
/// its entity through that member's shard region.
/// </summary>
internal sealed class ShardHomesReader : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ShardHomesReader(IReadOnlyList<(string CommandType, IActorRef Region)> regions, int shards, ShardHomesBoard board,
        TimeSpan interval)
    {
        ReceiveAsync<Refresh>(async _ =>
        {
            var current = new List<(string, Address?[])>();
            foreach (var (commandType, region) in regions)
            {
                try
                {
                    var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(interval), interval);
                    current.Add((commandType, Homes(stats, shards)));
                }
                catch (Exception e) when (e is TimeoutException or AskTimeoutException)
                {
                    // Members busy or changing: keep this type's last table until the next read.
                    _log.Debug("Shard locations of {0} not read in time; the last ones stay", commandType);
                    current.AddRange(board.Current.Where(t => t.CommandType == commandType));
                }
            }

            board.Current = current;
            // The next read an interval after this one ended: slow reads never pile up.
            Timers.StartSingleTimer(nameof(Refresh), Refresh.Instance, interval);
        });
        Timers!.StartSingleTimer(nameof(Refresh), Refresh.Instance, TimeSpan.Zero);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyList<(string CommandType, IActorRef Region)> regions, int shards, ShardHomesBoard board,
        TimeSpan interval) => Akka.Actor.Props.Create(() => new ShardHomesReader(regions, shards, board, interval));

    private static Address?[] Homes(ClusterShardingStats stats, int shards)
    {
        var homes = new Address?[shards];
        foreach (var (member, region) in stats.Regions)
        {
            foreach (var shard in region.Stats.Keys)
            {
                if (int.TryParse(shard, out var index) && index >= 0 && index < shards)
                {
                    homes[index] = member;
                }
            }
        }

        return homes;
    }

    private sealed record Refresh
    {
        public static readonly Refresh Instance = new();
    }
}
