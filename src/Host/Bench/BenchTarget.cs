using System.Collections.Immutable;
using Actors.Client;
using Actors.Hosting;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Client;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Host.Bench;

/// <summary>
/// What a bench run talks to: a node in another process through its gateway endpoint (the default),
/// or with <c>--inproc</c> a node started inside the bench process. Gives our client and the
/// raw Akka.NET baseline side by side.
/// </summary>
internal sealed class BenchTarget : IAsyncDisposable
{
    private readonly IHost? _node;
    private readonly ActorSystem? _clientSystem;
    private readonly string? _journalFolder;
    private readonly Func<BaselineAdd, bool, TimeSpan, Task<BaselineTotal>> _baseline;

    private BenchTarget(ActorsClient client, ActorSystem system, Func<BaselineAdd, bool, TimeSpan, Task<BaselineTotal>> baseline,
        IHost? node, ActorSystem? clientSystem, string? journalFolder)
    {
        Client = client;
        System = system;
        _baseline = baseline;
        _node = node;
        _clientSystem = clientSystem;
        _journalFolder = journalFolder;
    }

    public ActorsClient Client { get; }

    /// <summary>The node's system with --inproc, else the bench's client system.</summary>
    public ActorSystem System { get; }

    public bool InProcess => _node is not null;

    /// <summary>With --inproc on PostgreSQL: the server's commit durability, read from it.</summary>
    public PostgresDurability? Postgres { get; private init; }

    /// <summary>One add on the raw baseline counter (persistent or in-memory entity).</summary>
    public Task<BaselineTotal> BaselineAddAsync(BaselineAdd add, bool persist, TimeSpan timeout) => _baseline(add, persist, timeout);

    /// <param name="db">A --db value; null: a SQLite file in a fresh temp folder.</param>
    public static async Task<BenchTarget> InProcessAsync(string? db, bool persist, string extraHocon)
    {
        var folder = db is null ? Path.Combine(Path.GetTempPath(), "actors-bench", Guid.NewGuid().ToString("N")) : null;
        var options = new NodeOptions { Port = 0 }.UseDb(db ?? $"sqlite:{Path.Combine(folder!, "actors.db")}");
        var extra = Akka.Configuration.ConfigurationFactory.ParseString(extraHocon);
        if (!persist)
        {
            extra = extra.WithFallback(BaselineHosting.BenchInMemoryConfig);
        }

        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var node = NodeHost.Build(options, extra,
            akka => akka.AddStartup((system, _) => Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult())),
            LogLevel.Warning, benchBaselines: true);
        await node.StartAsync();
        await up.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var system = node.Services.GetRequiredService<ActorSystem>();
        var gateway = node.Services.GetRequiredService<ActorRegistry>().Get<GatewayKey>();
        var sharding = ClusterSharding.Get(system);
        var inMemory = sharding.ShardRegion(BaselineHosting.InMemoryRegion);
        var persistent = sharding.ShardRegion(BaselineHosting.PersistentRegion);
        return new BenchTarget(ActorsClient.ForGateway(system, gateway), system,
            (add, persistOn, timeout) => (persistOn ? persistent : inMemory).Ask<BaselineTotal>(add, timeout),
            node, null, folder)
        {
            Postgres = options.PostgresConnection is { } postgres ? await PostgresDurability.ReadAsync(postgres) : null,
        };
    }

    /// <param name="clientHocon">Client settings for this run (batching).</param>
    /// <param name="tls">Mutual TLS with the cluster's CA, for nodes started with --tls.</param>
    public static BenchTarget Remote(IReadOnlyList<string> contacts, string clientHocon, Actors.Security.TlsSettings? tls = null)
    {
        var system = ActorsClient.CreateSystem("actors-bench", Akka.Configuration.ConfigurationFactory.ParseString(clientHocon)
            .WithFallback(BaselineHosting.BenchConfig).WithFallback(ActorsClient.Config())
            // The baseline's ClusterClient and the pub-sub Send it wraps requests in.
            .WithFallback(ClusterClientReceptionist.DefaultConfig())
            .WithFallback(Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.DefaultConfig()), tls);
        var client = ActorsClient.Create(system, contacts);
        // The raw baseline is plain Akka.NET: ClusterClient to the receptionist on each node's
        // cluster port. Made on first use: a run without --baseline never knocks on that port.
        var requesters = new Lazy<Dictionary<string, IActorRef>>(() =>
        {
            var offset = NodeConfig.Defaults.GetInt("actors.endpoint.cluster-port-offset");
            var receptionists = contacts.Select(HostPort.Parse)
                .Select(c => ActorPath.Parse(
                    $"{ActorsConfig.Scheme(system.Settings.Config)}://{ActorsHostingExtensions.SystemName}@{c.Host}:{c.Port + offset}/system/receptionist"))
                .ToImmutableHashSet();
            var clusterClient = system.ActorOf(ClusterClient.Props(ClusterClientSettings.Create(system).WithInitialContacts(receptionists)),
                "baseline-cluster-client");
            return new[] { BaselineHosting.InMemoryRegion, BaselineHosting.PersistentRegion }.ToDictionary(r => r,
                r => system.ActorOf(Props.Create(() => new BaselineRequester(clusterClient, $"/system/sharding/{r}")), $"baseline-{r}"));
        });
        return new BenchTarget(client, system, (add, persist, timeout) =>
        {
            var done = new TaskCompletionSource<BaselineTotal>(TaskCreationOptions.RunContinuationsAsynchronously);
            requesters.Value[persist ? BaselineHosting.PersistentRegion : BaselineHosting.InMemoryRegion].Tell((add, done));
            return done.Task.WaitAsync(timeout);
        }, null, system, null);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        if (_clientSystem is not null)
        {
            await _clientSystem.Terminate();
        }

        if (_node is not null)
        {
            await _node.StopAsync();
            _node.Dispose();
        }

        if (_journalFolder is not null)
        {
            try
            {
                Directory.Delete(_journalFolder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temp folder.
            }
        }
    }
}
