using Actors.Client;
using Actors.Hosting;
using Actors.Protocol;
using Akka.Actor;
using Xunit.Abstractions;

namespace Actors.Tests.Support;

/// <summary>
/// A single-node spec: the TestKit's actor system is a real node wired by the same
/// <see cref="ActorsHostingExtensions.AddActors"/> the Host uses, on port 0 with a fresh
/// SQLite journal of its own.
/// </summary>
public abstract class NodeSpec : Akka.TestKit.Xunit2.TestKit
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly TestNode _node;

    /// <param name="output">xunit's output, where the node's log goes.</param>
    /// <param name="hocon">HOCON over node.conf for this spec (short timeouts, test lanes).</param>
    /// <param name="configure">Extra handlers and entity types for this spec.</param>
    protected NodeSpec(ITestOutputHelper output, string hocon = "", Action<ActorsBuilder>? configure = null)
        : this(TestNode.StartAsync(TempJournal.NewPath(), hocon, configure, testKit: true).GetAwaiter().GetResult(), output)
    {
    }

    private NodeSpec(TestNode node, ITestOutputHelper output) : base(node.System, output)
    {
        _node = node;
    }

    protected string JournalPath => _node.JournalPath;

    protected IActorRef Gateway => _node.Gateway;

    /// <summary>A path on the node's gateway endpoint (the port clients use), e.g. <c>/user/gateway</c>.</summary>
    protected string EndpointPath(string path) => $"akka.tcp://actors@{_node.Contact}{path}";

    protected static string Id() => Guid.NewGuid().ToString("N");

    /// <summary>Sends through the gateway and returns the one reply.</summary>
    protected Task<IReply> Send(IRequest request) => Gateway.Ask<IReply>(request, Patience);

    protected async Task<T> Expect<T>(IRequest request) where T : IReply
    {
        var reply = await Send(request);
        return reply is T typed ? typed : throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name}, got {reply}");
    }

    protected async Task<ErrorReply> ExpectError(IRequest request, ErrorCode code)
    {
        var error = await Expect<ErrorReply>(request);
        if (error.Code != code || error.RequestId != request.RequestId)
        {
            throw new Xunit.Sdk.XunitException($"expected {code} for {request.RequestId}, got {error} for {error.RequestId}");
        }

        return error;
    }

    private readonly List<ActorSystem> _clientSystems = [];

    /// <summary>
    /// A client in a separate actor system (its own remoting port), connected to this node's
    /// gateway endpoint, once a first request has made it through. The system stops with the spec.
    /// </summary>
    protected async Task<ActorsClient> ConnectFromAnotherSystemAsync(params System.Reflection.Assembly[] contracts)
    {
        var system = ActorSystem.Create("client", ActorsClient.Config(contracts));
        _clientSystems.Add(system);
        var client = ActorsClient.Create(system, [_node.Contact]);
        await AwaitAssertAsync(async () =>
        {
            var reply = await client.SendAsync(new GetCounter(client.NewRequestId(), "warm-up"), TimeSpan.FromSeconds(2));
            if (reply is not CounterValue)
            {
                throw new Xunit.Sdk.XunitException($"not connected yet: {reply}");
            }
        }, Patience, TimeSpan.FromMilliseconds(100));
        return client;
    }

    /// <summary>The actor systems made by <see cref="ConnectFromAnotherSystemAsync"/>.</summary>
    protected IReadOnlyList<ActorSystem> ClientSystems => _clientSystems;

    protected override void AfterAll()
    {
        foreach (var system in _clientSystems)
        {
            system.Terminate().Wait(Patience);
        }

        base.AfterAll();
        _node.DisposeAsync().AsTask().Wait(Patience);
        TempJournal.Delete(_node.JournalPath);
    }
}
