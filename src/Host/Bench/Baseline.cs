using System.Text;
using Actors.Hosting;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Client;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence;

namespace Actors.Host.Bench;

/// <summary>Messages of the raw Akka.NET baseline counters (stock Hyperion, see hocon/bench.conf).</summary>
public interface IBaselineMessage;

public sealed record BaselineAdd(long Id, string Key, long Amount) : IBaselineMessage;

public sealed record BaselineTotal(long Id, long Total) : IBaselineMessage;

public sealed record BaselineAdded(long Amount) : IBaselineMessage;

/// <summary>The fastest plain counter entity: state in a field, reply at once.</summary>
public sealed class BaselineCounter : ReceiveActor
{
    private long _total;

    public BaselineCounter() => Receive<BaselineAdd>(add =>
    {
        _total += add.Amount;
        Sender.Tell(new BaselineTotal(add.Id, _total));
    });
}

/// <summary>A plain persistent counter: persist one event per add, reply after the write.</summary>
public sealed class BaselinePersistentCounter : ReceivePersistentActor
{
    private long _total;

    public BaselinePersistentCounter(string key)
    {
        PersistenceId = "baseline:" + key;
        // A journal plugin instance and file of its own, stock settings (BaselineJournal).
        JournalPluginId = BaselineJournal.PluginId;
        Recover<BaselineAdded>(e => _total += e.Amount);
        Command<BaselineAdd>(add => Persist(new BaselineAdded(add.Amount), e =>
        {
            _total += e.Amount;
            Sender.Tell(new BaselineTotal(add.Id, _total));
        }));
    }

    public override string PersistenceId { get; }
}

internal sealed class BaselineExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => (message as BaselineAdd)?.Key;
}

internal static class BaselineHosting
{
    public const string InMemoryRegion = "baseline-counter";
    public const string PersistentRegion = "baseline-persistent-counter";

    public static Config BenchConfig { get; } = Load("bench.conf");

    public static Config BenchInMemoryConfig { get; } = Load("bench-inmem.conf");

    /// <summary>
    /// Starts both baseline regions and registers them with a ClusterClient receptionist on the
    /// cluster port, as a plain Akka.NET service would be reached (bench nodes only: the receptionist
    /// lets any peer of the cluster port reach them).
    /// </summary>
    /// <param name="extra">HOCON from --config, over bench.conf.</param>
    public static AkkaConfigurationBuilder AddBenchBaseline(this AkkaConfigurationBuilder builder, NodeOptions options, Config? extra)
    {
        builder.AddHocon(BenchConfig, HoconAddMode.Append);
        builder.AddHocon(BaselineJournal.For(options, (extra ?? Config.Empty).WithFallback(BenchConfig)), HoconAddMode.Append);
        builder.AddHocon(ClusterClientReceptionist.DefaultConfig(), HoconAddMode.Append);
        // The receptionist reads requests wrapped in pub-sub's Send: its serializer, not the refused JSON default.
        builder.AddHocon(Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.DefaultConfig(), HoconAddMode.Append);
        return builder.WithActors(async (system, _) =>
        {
            var sharding = ClusterSharding.Get(system);
            var settings = ClusterShardingSettings.Create(system);
            var shards = system.Settings.Config.RequireInt("actors.sharding.shards");
            var inMemory = await sharding.StartAsync(InMemoryRegion, Props.Create<BaselineCounter>(), settings,
                new BaselineExtractor(shards), sharding.DefaultShardAllocationStrategy(settings), PoisonPill.Instance);
            var persistent = await sharding.StartAsync(PersistentRegion, key => Props.Create(() => new BaselinePersistentCounter(key)),
                settings, new BaselineExtractor(shards), sharding.DefaultShardAllocationStrategy(settings), PoisonPill.Instance);
            ClusterClientReceptionist.Get(system).RegisterService(inMemory);
            ClusterClientReceptionist.Get(system).RegisterService(persistent);
        });
    }

    private static Config Load(string file)
    {
        using var stream = typeof(BaselineHosting).Assembly.GetManifestResourceStream($"Actors.hocon.{file}")
                           ?? throw new InvalidOperationException($"hocon/{file} is not embedded");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}

/// <summary>
/// The remote baseline's caller: a long-lived actor that sends through ClusterClient and
/// correlates replies by id (the fast way; one Ask per request through ClusterClient is ~8x slower).
/// </summary>
internal sealed class BaselineRequester : ReceiveActor
{
    private readonly Dictionary<long, TaskCompletionSource<BaselineTotal>> _pending = new();

    public BaselineRequester(IActorRef clusterClient, string regionPath)
    {
        Receive<(BaselineAdd Add, TaskCompletionSource<BaselineTotal> Done)>(send =>
        {
            _pending[send.Add.Id] = send.Done;
            clusterClient.Tell(new ClusterClient.Send(regionPath, send.Add, localAffinity: true));
        });
        Receive<BaselineTotal>(total =>
        {
            if (_pending.Remove(total.Id, out var done))
            {
                done.TrySetResult(total);
            }
        });
    }
}
