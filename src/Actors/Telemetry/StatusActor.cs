using System.Globalization;
using Actors.Gateway;
using Actors.Protocol;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;

namespace Actors.Telemetry;

/// <summary>
/// Every node's <c>/user/status</c>: answers its own <see cref="NodeStatus"/>, gathers every
/// member's for <see cref="GetClusterStatus"/> and the dashboard (<see cref="GetClusterView"/>),
/// and logs the periodic health line.
/// </summary>
public sealed class StatusActor : ReceiveActor, IWithTimers
{
    public const string Name = "status";

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    // The `status` verb's figures are over this many seconds.
    private const int StatusWindowSeconds = 5;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _gateway;
    private readonly IReadOnlyList<(string Type, IActorRef Region)> _regions;
    private readonly NodeTelemetry _telemetry;
    private readonly TimeSpan _healthInterval;
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private bool _idleLogged;

    public StatusActor(IActorRef gateway, IReadOnlyList<(string Type, IActorRef Region)> regions, NodeTelemetry telemetry, TimeSpan healthInterval)
    {
        _gateway = gateway;
        _regions = regions;
        _telemetry = telemetry;
        _healthInterval = healthInterval;
        ReceiveAsync<GetNodeStatus>(async get => Sender.Tell(await LocalAsync(get.WindowSeconds)));
        // GetClusterStatus comes routed by the gateway, like any request.
        ReceiveAsync<RoutedRequest>(async routed =>
        {
            var caller = Caller.Of(routed, Sender);
            if (routed.Request is GetClusterStatus get)
            {
                caller.Answer(new ClusterStatus(get.RequestId, await MembersAsync(StatusWindowSeconds, throughGateway: true)));
            }
        });
        ReceiveAsync<GetClusterView>(async get => Sender.Tell(new ClusterView(await MembersAsync(get.WindowSeconds, throughGateway: false))));
        ReceiveAsync<HealthTick>(_ => LogHealthAsync());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef gateway, IReadOnlyList<(string Type, IActorRef Region)> regions, NodeTelemetry telemetry,
        TimeSpan healthInterval) =>
        Akka.Actor.Props.Create(() => new StatusActor(gateway, regions, telemetry, healthInterval));

    protected override void PreStart()
    {
        if (_healthInterval > TimeSpan.Zero)
        {
            Timers.StartPeriodicTimer(nameof(HealthTick), HealthTick.Instance, _healthInterval);
        }
    }

    private async Task<NodeStatus> LocalAsync(int windowSeconds)
    {
        var stats = await _gateway.Ask<GatewayStats>(new GetGatewayStats(windowSeconds), AskTimeout);
        var entityTypes = new List<EntityTypeStatus>();
        var live = _telemetry.LiveEntities().ToDictionary(e => e.Type, e => e.Count);
        foreach (var (type, region) in _regions)
        {
            var shards = 0;
            try
            {
                shards = (await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, AskTimeout)).Shards.Count;
            }
            catch (AskTimeoutException)
            {
                // A region busy handing off: report what is known.
            }

            entityTypes.Add(new EntityTypeStatus(type, shards, live.GetValueOrDefault(type)));
        }

        var self = _cluster.SelfMember;
        // The window holds whole seconds plus the current one, still filling: count that as half.
        var rate = stats.CompletedInWindow / (windowSeconds + 0.5);
        return new NodeStatus(self.Address.ToString(), self.Status.ToString(), string.Join(",", self.Roles), true,
            stats.InFlight, rate, stats.P99MsInWindow, stats.Rejected, _telemetry.Restarts, entityTypes.ToArray(),
            _telemetry.LaneDepths().Select(l => new LaneStatus(l.Lane, l.Depth, l.Width)).ToArray(), stats.ErrorsInWindow);
    }

    private async Task<NodeStatus[]> MembersAsync(int windowSeconds, bool throughGateway)
    {
        var state = _cluster.State;
        var members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();
        var statuses = await Task.WhenAll(members.Select(async member =>
        {
            var reachable = !state.Unreachable.Contains(member);
            var status = reachable ? member.Status.ToString() : "Unreachable";
            if (reachable && member.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Joining or MemberStatus.WeaklyUp)
            {
                try
                {
                    NodeStatus node;
                    if (member.Address == _cluster.SelfAddress)
                    {
                        node = await LocalAsync(windowSeconds);
                        if (throughGateway)
                        {
                            // This poll came through this member's gateway and is in flight there: not counted.
                            node = node with { InFlight = Math.Max(0, node.InFlight - 1) };
                        }
                    }
                    else
                    {
                        node = await Context.ActorSelection(new RootActorPath(member.Address) / "user" / Name)
                            .Ask<NodeStatus>(new GetNodeStatus(windowSeconds), AskTimeout);
                    }

                    return node with { Status = status };
                }
                catch (Exception e) when (e is AskTimeoutException or ActorNotFoundException)
                {
                    // Fall through: known to the cluster, silent to us.
                }
            }

            return new NodeStatus(member.Address.ToString(), status, string.Join(",", member.Roles), false, 0, 0, 0, 0, 0, [], [], []);
        }));
        return statuses;
    }

    private async Task LogHealthAsync()
    {
        var window = (int)Math.Max(1, Math.Round(_healthInterval.TotalSeconds));
        var node = await LocalAsync(window);
        var idle = node.RequestsPerSecond == 0 && node.InFlight == 0;
        if (idle && _idleLogged)
        {
            return;
        }

        _idleLogged = idle;
        var state = _cluster.State;
        var up = state.Members.Count(m => m.Status == MemberStatus.Up);
        _log.Info(string.Create(CultureInfo.InvariantCulture,
            $"health: {up}/{state.Members.Count} members up, {node.EntityTypes.Sum(e => e.LiveEntities)} live entities, " +
            $"{node.InFlight} in flight, {node.RequestsPerSecond:F1} req/s, p99 {node.P99Ms:F1} ms (last {window} s), " +
            $"{node.Rejected} rejected, {node.Restarts} worker restarts since start"));
    }

    private sealed record HealthTick
    {
        public static readonly HealthTick Instance = new();
    }
}
