using Akka.Actor;
using Akka.Cluster;

namespace Actors.Gateway;

/// <summary>
/// The cluster events that bear on requests in flight, read into the <see cref="InFlightTable"/>
/// (which knows members by their unique address only, so its specs need no cluster).
/// </summary>
internal static class MembershipEvents
{
    public static void Subscribe(ActorSystem system, IActorRef gateway) =>
        Akka.Cluster.Cluster.Get(system).Subscribe(gateway, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.MemberRemoved));

    /// <summary>
    /// How long after a member's removal its shards are still moving: sharding waits the downing
    /// provider's removal margin, then regions ask again within two retry intervals.
    /// </summary>
    public static TimeSpan SettleAfterRemoval(ActorSystem system) =>
        Akka.Cluster.Cluster.Get(system).DowningProvider.DownRemovalMargin +
        2 * system.Settings.Config.GetTimeSpan("akka.cluster.sharding.retry-interval");

    /// <summary>Applies one event; true when a member was removed (what went to it may be lost: send again).</summary>
    public static bool Apply(InFlightTable inFlight, object clusterEvent, long now)
    {
        switch (clusterEvent)
        {
            case ClusterEvent.UnreachableMember m:
                inFlight.MemberUnreachable(m.Member.UniqueAddress.ToString(), Leaving(m.Member));
                return false;
            case ClusterEvent.ReachableMember m:
                inFlight.MemberReachable(m.Member.UniqueAddress.ToString());
                return false;
            case ClusterEvent.MemberRemoved m:
                inFlight.MemberRemoved(m.Member.UniqueAddress.ToString(), now, m.PreviousStatus == MemberStatus.Down);
                return true;
            case ClusterEvent.CurrentClusterState state:
                // A gateway (re)started while a member is unreachable: requests for entities park from the start.
                foreach (var member in state.Unreachable)
                {
                    inFlight.MemberUnreachable(member.UniqueAddress.ToString(), Leaving(member));
                }

                return false;
            default:
                return false;
        }
    }

    private static bool Leaving(Member member) => member.Status is MemberStatus.Leaving or MemberStatus.Exiting;
}
