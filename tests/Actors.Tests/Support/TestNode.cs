using Actors.Client;
using Actors.Hosting;
using Akka.Actor;
using Akka.Hosting;
using Akka.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Actors.Tests.Support;

/// <summary>
/// A node in its own generic host, wired exactly as the Host wires one (port 0, its own
/// journal). Specs use it as the TestKit's system, or start several to stop one node and
/// start another on the same journal.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly IHost _host;

    private TestNode(IHost host, string journalPath)
    {
        _host = host;
        JournalPath = journalPath;
        System = host.Services.GetRequiredService<ActorSystem>();
        Registry = host.Services.GetRequiredService<ActorRegistry>();
        Gateway = Registry.Get<GatewayKey>();
        Client = ActorsClient.ForGateway(System, Gateway);
    }

    public string JournalPath { get; }
    public ActorSystem System { get; }
    public IActorRef Gateway { get; }

    /// <summary>Akka.Hosting's registry: the gateway (GatewayKey) and each entity type's region (EntityRegion&lt;TCommand&gt;).</summary>
    public ActorRegistry Registry { get; }

    /// <summary>The node's gateway endpoint, <c>host:port</c>: where clients connect.</summary>
    public string Contact => GatewayEndpoint.ContactOf(System) ?? throw new InvalidOperationException("the node has no gateway endpoint yet");

    /// <summary>A client inside the node (direct to its gateway).</summary>
    public ActorsClient Client { get; }

    /// <param name="testKit">Route the log through the TestKit's listener (for EventFilter) and add its defaults.</param>
    /// <param name="port">Cluster port; 0 = any free one (the gateway endpoint takes one never handed out before).</param>
    /// <param name="seeds">Seed nodes (host:cluster-port) to join; none = the node founds its own cluster.</param>
    /// <param name="tls">Mutual TLS with these certificates; null: plain TCP.</param>
    /// <param name="options">Further per-node options (e.g. discovery instead of seeds).</param>
    public static async Task<TestNode> StartAsync(string journalPath, string hocon = "", Action<ActorsBuilder>? configure = null,
        bool testKit = false, int port = 0, IReadOnlyList<string>? seeds = null, Actors.Security.TlsSettings? tls = null,
        Action<NodeOptions>? options = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddAkka(ActorsHostingExtensions.SystemName, akka =>
        {
            akka.AddHocon(hocon, HoconAddMode.Prepend);
            if (testKit)
            {
                akka.ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLogger<TestEventListener>();
                });
                akka.AddHocon(TestKitBase.DefaultConfig, HoconAddMode.Append);
            }

            var node = new NodeOptions { Port = Actors.TestSupport.Ports.Free(), ClusterPort = port, Seeds = seeds, SqlitePath = journalPath, Tls = tls };
            options?.Invoke(node);
            akka.AddActors(node, configure);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new TestNode(host, journalPath);
    }

    /// <summary>A node whose journal and snapshot store are on the PostgreSQL database at <paramref name="connection"/>.</summary>
    public static Task<TestNode> StartOnPostgresAsync(string connection) =>
        StartAsync(journalPath: "", options: node => node.UseDb("postgres", connection));

    /// <summary>
    /// Two members on one journal: the first founds the cluster, the second joins it through the
    /// first (with <paramref name="secondHocon"/>); returns once both see each other Up.
    /// </summary>
    public static async Task<(TestNode First, TestNode Second)> StartPairAsync(string journalPath, string secondHocon = "")
    {
        var seedPort = Actors.TestSupport.Ports.Free();
        var first = await StartAsync(journalPath, port: seedPort);
        var second = await StartAsync(journalPath, secondHocon, port: Actors.TestSupport.Ports.Free(), seeds: [$"127.0.0.1:{seedPort}"]);
        await Actors.TestSupport.Eventually.UntilAsync(() => new[] { first, second }.All(n =>
                Akka.Cluster.Cluster.Get(n.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 2),
            TimeSpan.FromSeconds(60), "the second member Up beside the first");
        return (first, second);
    }

    /// <summary>Stops the node as SIGTERM does: CoordinatedShutdown, leaving the cluster.</summary>
    public async Task StopAsync()
    {
        await Client.DisposeAsync();
        await _host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _host.StopAsync();
        _host.Dispose();
    }
}
