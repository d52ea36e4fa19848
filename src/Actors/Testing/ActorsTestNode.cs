using Actors.Client;
using Actors.Hosting;
using Actors.Protocol;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Testing;

/// <summary>
/// A node in the test's own process for a team's tests, as Orleans' TestCluster is: the team's
/// handlers and entity types, an embedded SQLite journal in a folder of its own, ports of its
/// own, and a <see cref="Client"/> that reaches it over the gateway endpoint, the way a real
/// client does, so the team's contracts cross the same wire as in production. Dispose it at
/// the end of the test (or of the test class): the node stops and its journal is deleted.
/// </summary>
/// <example>
/// <code>
/// await using var node = await ActorsTestNode.StartAsync(actors => actors.AddEntityType("cart", _ => new CartHandler()));
/// var cart = await node.Client.AskAsync&lt;CartContents&gt;(new AddToCart(node.Client.NewRequestId(), "c1", "apple", 2));
/// </code>
/// </example>
public sealed class ActorsTestNode : IAsyncDisposable
{
    private static readonly TimeSpan ConnectWithin = TimeSpan.FromSeconds(60);

    private readonly IHost _host;
    private readonly string _folder;

    private ActorsTestNode(IHost host, string folder, ActorsClient client, string contact)
    {
        _host = host;
        _folder = folder;
        Client = client;
        Contact = contact;
        System = host.Services.GetRequiredService<ActorSystem>();
    }

    /// <summary>A client connected over the node's gateway endpoint, told about the registered handlers' and entity types' assemblies.</summary>
    public ActorsClient Client { get; }

    /// <summary>The node's gateway endpoint (<c>127.0.0.1:port</c>), for clients of your own.</summary>
    public string Contact { get; }

    /// <summary>The node's actor system (the member), e.g. for Akka.Hosting's <see cref="ActorRegistry"/>.</summary>
    public ActorSystem System { get; }

    /// <summary>Starts the node and waits until its client is served.</summary>
    /// <param name="configure">The team's handlers and entity types, as given to AddActors.</param>
    /// <param name="hocon">Settings over hocon/node.conf, e.g. an entity type's or a handler's block.</param>
    public static async Task<ActorsTestNode> StartAsync(Action<ActorsBuilder> configure, string hocon = "",
        CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(Path.GetTempPath(), "actors-test-node", Guid.NewGuid().ToString("N"));
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAkka(ActorsHostingExtensions.SystemName, akka =>
        {
            akka.AddHocon(hocon, HoconAddMode.Prepend);
            akka.AddActors(new NodeOptions { Port = 0, SqlitePath = Path.Combine(folder, "actors.db") }, configure);
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var contact = GatewayEndpoint.ContactOf(host.Services.GetRequiredService<ActorSystem>())
                      ?? throw new InvalidOperationException("the node started without its gateway endpoint");
        // The client is told the same assemblies the node registered: configure runs once more, on a
        // builder that only records (no handler is made).
        var registered = new ActorsBuilder();
        configure(registered);
        var client = ActorsClient.Connect([contact], contracts: registered.ProtocolAssemblies);
        await WaitUntilServedAsync(client, cancellationToken);
        return new ActorsTestNode(host, folder, client, contact);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _host.StopAsync();
        _host.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing connection: the temp folder keeps it.
        }
    }

    /// <summary>The client's link learns the node's endpoints on its first contact; until then requests are answered Unavailable.</summary>
    private static async Task WaitUntilServedAsync(ActorsClient client, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + ConnectWithin;
        while (true)
        {
            var reply = await client.SendAsync(new GetClusterStatus(client.NewRequestId()), TimeSpan.FromSeconds(5), cancellationToken);
            if (reply is ClusterStatus)
            {
                return;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"the test node did not serve its client within {ConnectWithin.TotalSeconds:0} s: {reply}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
