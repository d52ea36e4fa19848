using Actors.Handlers;
using Actors.Protocol;
using Akka.Actor;
using Akka.Configuration;
using Akka.Routing;

namespace Actors.Workers;

/// <summary>A lane's pool: how many workers and how requests are spread over them.</summary>
public sealed record LaneSettings(string Name, int Workers, string Router)
{
    public static LaneSettings From(Config config, string lane)
    {
        var block = config.GetConfig($"actors.lanes.{lane}")
                    ?? throw new ConfigurationException($"lane '{lane}' is used by a handler but actors.lanes.{lane} is not configured");
        var workersText = block.GetString("workers", "auto");
        int workers;
        if (string.Equals(workersText, "auto", StringComparison.OrdinalIgnoreCase))
        {
            workers = Environment.ProcessorCount;
        }
        else if (!int.TryParse(workersText, out workers) || workers < 1)
        {
            throw new ConfigurationException($"actors.lanes.{lane}.workers must be 'auto' or a positive number (got '{workersText}')");
        }

        var router = block.GetString("router", "smallest-mailbox");
        if (router is not ("smallest-mailbox" or "round-robin"))
        {
            throw new ConfigurationException($"actors.lanes.{lane}.router must be smallest-mailbox or round-robin (got '{router}')");
        }

        return new LaneSettings(lane, workers, router);
    }

    public Props RouterProps(IReadOnlyList<HandlerRegistration> handlers, ActorSystem system, IServiceProvider? services)
    {
        RouterConfig pool = Router == "round-robin"
            ? new RoundRobinPool(Workers).WithSupervisorStrategy(SupervisorStrategy())
            : new SmallestMailboxPool(Workers).WithSupervisorStrategy(SupervisorStrategy());
        return LaneWorker.Props(handlers, system, services).WithRouter(pool);
    }

    /// <summary>
    /// A failing worker is restarted (fresh handler instances and resources) and never stopped:
    /// stopping would drop the requests in its mailbox. Its failing request was already answered.
    /// </summary>
    private static OneForOneStrategy SupervisorStrategy() =>
        new(maxNrOfRetries: -1, withinTimeRange: Timeout.InfiniteTimeSpan, localOnlyDecider: _ => Directive.Restart);
}

/// <summary>A stateless handler registered with <see cref="Hosting.ActorsBuilder"/>.</summary>
public sealed class HandlerRegistration
{
    private HandlerRegistration(string name, Type requestType, Func<HandlerContext, object> factory,
        Func<object, IRequest, CancellationToken, ValueTask<IReply>> invoke)
    {
        Name = name;
        RequestType = requestType;
        Factory = factory;
        Invoke = invoke;
    }

    public string Name { get; }
    public Type RequestType { get; }
    public Func<HandlerContext, object> Factory { get; }

    /// <summary>Calls the typed handler without reflection on the hot path.</summary>
    public Func<object, IRequest, CancellationToken, ValueTask<IReply>> Invoke { get; }

    public string LaneIn(Config config) => config.GetString($"actors.handlers.{Name}.lane", "cpu");

    public static HandlerRegistration Create<TRequest>(string name, Func<HandlerContext, IRequestHandler<TRequest>> factory)
        where TRequest : IRequest =>
        new(name, typeof(TRequest), factory,
            static (handler, request, ct) => ((IRequestHandler<TRequest>)handler).HandleAsync((TRequest)request, ct));
}
