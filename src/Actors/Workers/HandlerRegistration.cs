using Actors.Handlers;
using Actors.Hosting;
using Actors.Protocol;
using Akka.Configuration;

namespace Actors.Workers;

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

    /// <summary>Its lane: <c>actors.handlers.&lt;name&gt;.lane</c>, else <c>actors.handler-defaults.lane</c>.</summary>
    public string LaneIn(Config config) =>
        (config.GetConfig($"actors.handlers.{Name}") ?? Config.Empty).WithFallback(config.GetConfig("actors.handler-defaults") ?? Config.Empty)
        .RequireString("lane");

    public static HandlerRegistration Create<TRequest>(string name, Func<HandlerContext, IRequestHandler<TRequest>> factory)
        where TRequest : IRequest =>
        new(name, typeof(TRequest), factory,
            static (handler, request, ct) => ((IRequestHandler<TRequest>)handler).HandleAsync((TRequest)request, ct));
}
