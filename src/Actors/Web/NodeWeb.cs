using System.Net;
using System.Runtime.CompilerServices;
using Actors.Security;
using Akka;
using Akka.Actor;
using Akka.Event;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Actors.Web;

/// <summary>
/// The node's HTTP side, on Kestrel: <c>/health/live</c> and <c>/health/ready</c> on the health
/// port and the dashboard's port, the dashboard (page, <c>/status.json</c>, server-sent
/// <c>/events</c>) on the dashboard's port only. Each port is a small web application of its own,
/// started with the member and stopped as it terminates.
/// </summary>
public static class NodeWeb
{
    private static readonly ConditionalWeakTable<ActorSystem, Dictionary<string, string>> Served = new();

    /// <summary>The base URL each web port of a node serves on (<c>dashboard</c>, <c>health</c>, <c>bootstrap</c>), once started.</summary>
    public static string? UrlOf(ActorSystem member, string port) =>
        Served.TryGetValue(member, out var urls) && urls.TryGetValue(port, out var url) ? url : null;

    internal static void Start(ActorSystem member, IActorRef status, TlsSettings? tls)
    {
        var settings = WebSettings.From(member.Settings.Config);
        settings.Check(tls is not null);
        var readiness = new Readiness(member, settings);
        var urls = Served.GetOrCreateValue(member);
        var apps = new List<WebApplication>();
        if (settings.DashboardPort is { } dashboardPort)
        {
            var feed = new DashboardFeed(status, settings, member.Log);
            var offences = new OffenceLog(member.Log, member.Settings.Config.GetTimeSpan("actors.log.offence-interval"));
            apps.Add(Open(settings.Bind, dashboardPort, settings.MaxViewers + 64, tls, readiness,
                app => Dashboard.Map(app, feed, settings, offences, tls is not null)));
            urls["dashboard"] = UrlOfApp(apps[^1]);
            member.Log.Info("Dashboard: {0}/ (health probes: {0}/health/live, {0}/health/ready)", urls["dashboard"]);
        }

        if (settings.HealthPort is { } healthPort)
        {
            apps.Add(Open(settings.Bind, healthPort, 64, tls, readiness, _ => { }));
            urls["health"] = UrlOfApp(apps[^1]);
            member.Log.Info("Health probes: {0}/health/live, {0}/health/ready", urls["health"]);
        }

        StopWith(member, apps);
    }

    /// <summary>The bootstrap port of a member that finds its cluster by discovery (<c>actors.bootstrap</c>); nothing else is served on it.</summary>
    internal static void OpenBootstrapPort(ActorSystem member, Bootstrap.BootstrapSettings settings, TlsSettings? tls, Action<WebApplication> routes)
    {
        if (!IsLoopback(settings.Bind) && tls is null && !member.Settings.Config.GetBoolean("actors.web.allow-insecure"))
        {
            throw new FormatException($"refusing to serve the bootstrap port on {settings.Bind} over plain HTTP: start with --tls DIR, " +
                                      "bind it to 127.0.0.1, or pass --insecure on a network you trust");
        }

        var app = Open(settings.Bind, settings.Port, 64, tls, readiness: null, routes);
        Served.GetOrCreateValue(member)["bootstrap"] = UrlOfApp(app);
        member.Log.Info("Bootstrap port: {0}", UrlOfApp(app));
        StopWith(member, [app]);
    }

    private static void StopWith(ActorSystem member, List<WebApplication> apps)
    {
        if (apps.Count == 0)
        {
            return;
        }

        // Probes answer 503 while the node leaves; the ports close with the actor system.
        CoordinatedShutdown.Get(member).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "actors-stop-web", async () =>
        {
            await StopAsync(apps);
            return Done.Instance;
        });
        member.WhenTerminated.ContinueWith(_ => StopAsync(apps), TaskScheduler.Default);
    }

    private static bool IsLoopback(string bind) => bind == "localhost" || (IPAddress.TryParse(bind, out var ip) && IPAddress.IsLoopback(ip));

    private static WebApplication Open(string bind, int port, int maxConnections, TlsSettings? tls, Readiness? readiness, Action<WebApplication> more)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // Only actors.web decides where these ports listen: no ASPNETCORE_URLS, no appsettings.json
        // in the working folder adding a Kestrel endpoint past the loopback/TLS/token checks.
        builder.Configuration.Sources.Clear();
        // Akka's log carries what matters (the URLs, refused requests); Kestrel's own lines stay out of it.
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = maxConnections;
            kestrel.Limits.MaxRequestBodySize = 0;
            var address = bind == "localhost" ? IPAddress.Loopback : IPAddress.Parse(bind);
            kestrel.Listen(address, port, listen =>
            {
                if (tls is not null)
                {
                    // Server-only TLS with the node's certificate: probes (a kubelet) present none.
                    listen.UseHttps(tls.Certificate);
                }
            });
        });
        var app = builder.Build();
        if (readiness is not null)
        {
            app.MapGet("/health/live", () => Results.Text("Healthy"));
            app.MapGet("/health/ready", async () => await readiness.WhyNotReadyAsync() is { } why
                ? Results.Text($"Unhealthy: {why}", statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Text("Healthy"));
        }

        more(app);
        app.StartAsync().GetAwaiter().GetResult();
        return app;
    }

    private static string UrlOfApp(WebApplication app)
    {
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return address.TrimEnd('/');
    }

    private static async Task StopAsync(List<WebApplication> apps)
    {
        List<WebApplication> stopping;
        lock (apps)
        {
            // The shutdown task, or termination without one: whichever comes first.
            stopping = [.. apps];
            apps.Clear();
        }

        foreach (var app in stopping)
        {
            using var within = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(within.Token);
            await app.DisposeAsync();
        }
    }
}
