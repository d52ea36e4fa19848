using Actors.Gateway;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;

namespace Actors.Hosting;

/// <summary>A node's graceful leave: its gateway answers what it has before the shards hand off.</summary>
internal static class DrainOnLeave
{
    /// <summary>
    /// On a graceful stop, before the shards hand off: clients are told to send to other members'
    /// gateway endpoints (their next contacts query says this node is leaving), and the gateway
    /// answers what it has in flight, refusing new work as retryable, for at most
    /// <paramref name="within"/>. Then sharding hands the shards off and the node leaves.
    /// </summary>
    public static AkkaConfigurationBuilder WithDrainOnLeave(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
            Register(system, registry.Get<GatewayKey>(), system.Settings.Config.RequireTimeSpan("actors.shutdown.drain-timeout")));

    private static void Register(ActorSystem system, IActorRef gateway, TimeSpan within)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "actors-unregister-gateway", () =>
        {
            GatewayEndpoint.Leaving(system);
            return Task.FromResult(Done.Instance);
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "actors-drain-gateway", async () =>
        {
            if (shutdown.ShutdownReason is CoordinatedShutdown.ClusterDowningReason)
            {
                // Downed (e.g. the minority side of a partition): the others already run its
                // entities; stop at once rather than serve beside them while draining.
                return Done.Instance;
            }

            try
            {
                var drained = await gateway.Ask<Drained>(new DrainGateway(within), within + TimeSpan.FromSeconds(5));
                if (drained.StillInFlight > 0)
                {
                    system.Log.Warning("Leaving with {0} requests still in flight after {1}; their callers are answered Unavailable",
                        drained.StillInFlight, within);
                }
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                system.Log.Warning("Gateway did not report drained within {0}", within);
            }

            return Done.Instance;
        });
    }
}
