using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Routing;

namespace Actors.Workers;

/// <summary>A lane's pool: how many workers, how requests are spread, how many each runs at once.</summary>
public sealed record LaneSettings(string Name, int Workers, string Router, int ConcurrencyPerWorker, int MaxInFlight,
    TimeSpan MinBackoff, TimeSpan MaxBackoff, int BackoffAfter = 3, bool DedicatedThreads = false, TimeSpan AbandonAfter = default)
{
    /// <summary>Requests the lane runs at once: workers × concurrency per worker.</summary>
    public int Width => Workers * ConcurrencyPerWorker;

    public static LaneSettings From(Config config, string lane)
    {
        var own = config.GetConfig($"actors.lanes.{lane}")
                  ?? throw new ConfigurationException($"lane '{lane}' is used by a handler but actors.lanes.{lane} is not configured");
        // Whatever the lane's own block leaves out comes from actors.lane-defaults (node.conf).
        var block = own.WithFallback(config.GetConfig("actors.lane-defaults") ?? Config.Empty);
        var settings = new LaneSettings(
            lane,
            ParseWorkers(block.GetString("workers"), lane),
            block.GetString("router"),
            block.GetInt("concurrency-per-worker"),
            block.GetInt("max-in-flight"),
            block.GetTimeSpan("restart-backoff.min"),
            block.GetTimeSpan("restart-backoff.max"),
            block.GetInt("restart-backoff.after"),
            block.GetBoolean("dedicated-threads"),
            block.GetTimeSpan("abandon-after"));
        if (settings.Router is not ("smallest-mailbox" or "round-robin"))
        {
            throw new ConfigurationException($"actors.lanes.{lane}.router must be smallest-mailbox or round-robin (got '{settings.Router}')");
        }

        if (settings.ConcurrencyPerWorker < 1 || settings.MaxInFlight < 1 || settings.MinBackoff <= TimeSpan.Zero ||
            settings.MaxBackoff < settings.MinBackoff ||
            settings.AbandonAfter <= TimeSpan.Zero)
        {
            throw new ConfigurationException(
                $"actors.lanes.{lane}: concurrency-per-worker, max-in-flight and abandon-after must be positive, restart-backoff.min <= max");
        }

        return settings;
    }

    /// <summary><c>auto</c> = cores, <c>Kx</c> = K × cores, or a number.</summary>
    private static int ParseWorkers(string text, string lane)
    {
        var cores = Environment.ProcessorCount;
        if (string.Equals(text, "auto", StringComparison.OrdinalIgnoreCase))
        {
            return cores;
        }

        if (text.EndsWith('x') && int.TryParse(text.AsSpan(0, text.Length - 1), out var factor) && factor >= 1)
        {
            return factor * cores;
        }

        return int.TryParse(text, out var workers) && workers >= 1
            ? workers
            : throw new ConfigurationException($"actors.lanes.{lane}.workers must be auto, Kx (K × cores) or a positive number (got '{text}')");
    }

    public Props RouterProps(IReadOnlyList<HandlerRegistration> handlers, ActorSystem system, IServiceProvider? services,
        Telemetry.NodeTelemetry telemetry)
    {
        var history = new RestartHistory();
        RouterConfig pool = Router == "round-robin"
            ? new RoundRobinPool(Workers).WithSupervisorStrategy(SupervisorStrategy())
            : new SmallestMailboxPool(Workers).WithSupervisorStrategy(SupervisorStrategy());
        var workers = LaneWorker.Props(this, handlers, system, services, history, telemetry);
        return (DedicatedThreads ? workers.WithDispatcher(RegisterDedicatedDispatcher(system)) : workers).WithRouter(pool);
    }

    /// <summary>
    /// A thread of its own per worker: CPU-bound handlers then never occupy the .NET thread pool
    /// that runs the gateway, sharding, remoting and cluster heartbeats (a bulkhead), and the
    /// thread pool does not inject extra threads to make up for them.
    /// </summary>
    private string RegisterDedicatedDispatcher(ActorSystem system)
    {
        var id = $"actors.lanes.{Name}.dedicated-dispatcher";
        if (!system.Dispatchers.HasDispatcher(id))
        {
            var config = ConfigurationFactory.ParseString(
                    $"id = \"{id}\"\ntype = Dispatcher\nexecutor = fork-join-executor\n" +
                    $"fork-join-executor {{ parallelism-min = {Workers}, parallelism-factor = 1.0, parallelism-max = {Workers} }}")
                .WithFallback(system.Dispatchers.DefaultDispatcherConfig);
            system.Dispatchers.RegisterConfigurator(id, new DispatcherConfigurator(config, system.Dispatchers.Prerequisites));
        }

        return id;
    }

    /// <summary>
    /// A failing worker is restarted (fresh handler instances and resources) and never stopped:
    /// stopping would drop the requests in its mailbox and shrink the lane. Its failing request
    /// was already answered; repeated failures back off inside the restarted worker.
    /// </summary>
    private static OneForOneStrategy SupervisorStrategy() =>
        new(maxNrOfRetries: -1, withinTimeRange: Timeout.InfiniteTimeSpan, localOnlyDecider: _ => Directive.Restart);
}
