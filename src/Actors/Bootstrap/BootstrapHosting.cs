using Actors.Security;
using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Actors.Bootstrap;

/// <summary>
/// Starts a member that finds its cluster by discovery (<c>--discovery</c>): its bootstrap port,
/// which tells callers this member's address and its cluster's members, and the search itself.
/// </summary>
internal static class BootstrapHosting
{
    public const string Config = "config";
    public const string Kubernetes = "kubernetes";

    /// <summary>The Akka.Discovery method <c>--discovery kubernetes</c> uses (<see cref="KubernetesPodsDiscovery"/>).</summary>
    public const string KubernetesMethod = "actors-kubernetes";

    public static AkkaConfigurationBuilder WithBootstrap(this AkkaConfigurationBuilder builder, string? discovery, TlsSettings? tls)
    {
        if (discovery is null)
        {
            return builder;
        }

        if (discovery is not (Config or Kubernetes))
        {
            throw new FormatException($"--discovery must be {Config} or {Kubernetes} (got '{discovery}')");
        }

        return builder.WithActors((system, registry) =>
        {
            var settings = BootstrapSettings.From(system.Settings.Config);
            Web.NodeWeb.OpenBootstrapPort(system, settings, tls, app => app.MapGet(ClusterBootstrapper.Route, () => Answer(system)));
            var stop = new CancellationTokenSource();
            system.RegisterOnTermination(stop.Cancel);
            _ = Task.Run(() => new ClusterBootstrapper(system, settings, tls).RunAsync(stop.Token));
        });
    }

    private static IResult Answer(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        var members = cluster.State.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp)
            .Select(m => m.Address.ToString())
            .ToArray();
        return Results.Json(new ContactPoint(cluster.SelfAddress.ToString(), members));
    }
}
