using System.Runtime.CompilerServices;
using Actors.Gateway;
using Actors.Security;
using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Event;

namespace Actors.Hosting;

/// <summary>
/// A node's client endpoint (<c>actors.endpoint</c>): a second actor system in the node process,
/// not a cluster member, in untrusted mode, whose only actor is the <see cref="FrontGateway"/>.
/// Akka.Remote does not authenticate sender paths and has no join check, so the split is the
/// boundary: what reaches this port can be decoded into a request and nothing else, and the
/// cluster port (node certificates only, with TLS) never hears from a client.
/// </summary>
public static class GatewayEndpoint
{
    private static readonly ConditionalWeakTable<ActorSystem, ActorSystem> Endpoints = new();

    /// <summary>The client endpoint's actor system of a node, once the node has started it.</summary>
    public static ActorSystem? Of(ActorSystem member) => Endpoints.TryGetValue(member, out var endpoint) ? endpoint : null;

    /// <summary>The <c>host:port</c> clients use to reach this node, once it serves.</summary>
    public static string? ContactOf(ActorSystem member) =>
        Of(member) is ExtendedActorSystem endpoint ? $"{endpoint.Provider.DefaultAddress.Host}:{endpoint.Provider.DefaultAddress.Port}" : null;

    /// <summary>Starts the endpoint on <paramref name="port"/>, in front of <paramref name="gateway"/>; it stops after the member.</summary>
    internal static void Start(ActorSystem member, IActorRef gateway, int port, TlsSettings? tls, ShardHomesBoard shards)
    {
        // Replies to requests the member gateway drains go out through the endpoint: it stops last.
        CoordinatedShutdown.Get(member).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "actors-stop-gateway-endpoint", async () =>
        {
            if (Of(member) is { } endpoint)
            {
                await endpoint.Terminate();
            }

            return Done.Instance;
        });
        member.WhenTerminated.ContinueWith(_ => Of(member)?.Terminate(), TaskScheduler.Default);
        Open(member, gateway, port, tls, shards);
    }

    private static void Open(ActorSystem member, IActorRef gateway, int port, TlsSettings? tls, ShardHomesBoard shards)
    {
        if (member.WhenTerminated.IsCompleted || CoordinatedShutdown.Get(member).ShutdownReason is not null)
        {
            // Stopped or stopping (e.g. the transport refused this node's certificate while it started).
            return;
        }

        var config = member.Settings.Config;
        var own = ConfigurationFactory.ParseString(
                $"akka.remote.dot-netty.tcp.hostname = {ActorsConfig.Quote(Cluster.Get(member).SelfAddress.Host!)}\n" +
                $"akka.remote.dot-netty.tcp.port = {port}")
            .WithFallback(config.GetConfig("actors.endpoint.system"))
            .WithFallback(config);
        // The member's setups (logging, DI) carry over; its bootstrap (cluster provider) and TLS validator do not.
        var setup = member.Settings.Setup.And(BootstrapSetup.Create().WithConfig(own));
        var offenceInterval = config.GetTimeSpan("actors.log.offence-interval");
        if (tls is not null)
        {
            setup = setup.And(tls.Setup(offenceInterval, Certificates.ClientUnit, Certificates.MemberUnit));
        }

        var endpoint = ActorSystem.Create(member.Name, setup);
        endpoint.ActorOf(FrontGateway.Props(gateway, Cluster.Get(member), offenceInterval, shards), "gateway");
        Endpoints.AddOrUpdate(member, endpoint);

        // Akka.NET stops an actor system whose outgoing TLS handshake fails, and the endpoint
        // connects out to reply to whatever address a request's sender names: a client could
        // name a server of its own with a foreign certificate. While the node runs, a stopped
        // endpoint opens again at once (its clients reconnect through their link).
        endpoint.WhenTerminated.ContinueWith(_ =>
        {
            if (!member.WhenTerminated.IsCompleted && CoordinatedShutdown.Get(member).ShutdownReason is null)
            {
                member.Log.Warning("The gateway endpoint on port {0} stopped ({1}); opening it again",
                    port, CoordinatedShutdown.Get(endpoint).ShutdownReason?.ToString() ?? "terminated");
                try
                {
                    Open(member, gateway, port, tls, shards);
                }
                catch (Exception e)
                {
                    member.Log.Error(e, "The gateway endpoint on port {0} could not open again; clients are served by the other members", port);
                }
            }
        }, TaskScheduler.Default);
    }

    /// <summary>Tells the endpoint its node is leaving: clients asking for contacts are told to go elsewhere.</summary>
    internal static void Leaving(ActorSystem member)
    {
        if (Of(member) is { } endpoint)
        {
            endpoint.ActorSelection("/user/gateway").Tell(FrontGateway.Leaving.Instance);
        }
    }
}
