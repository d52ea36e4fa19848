using Actors.Entities;
using Actors.Handlers;
using Actors.Protocol;
using Actors.Workers;

namespace Actors.Hosting;

/// <summary>
/// What a node serves: stateless handlers (each on the lane its HOCON block names) and keyed
/// entity types. The built-in <c>pi</c> and <c>sleep</c> handlers and <c>counter</c> and <c>bench</c> entity types are registered
/// through the same calls a team uses for its own.
/// </summary>
public sealed class ActorsBuilder
{
    private readonly List<HandlerRegistration> _handlers = [];
    private readonly List<EntityTypeRegistration> _entityTypes = [];
    private readonly List<System.Reflection.Assembly> _contracts = [];

    internal ActorsBuilder()
    {
        AddHandler<EstimatePi>("pi", PiHandler.Create);
        AddHandler<SleepFor>("sleep", SleepHandler.Create);
        AddEntityType("counter", _ => new CounterHandler());
        AddEntityType("bench", _ => new BenchHandler());
    }

    public IReadOnlyList<HandlerRegistration> Handlers => _handlers;
    public IReadOnlyList<EntityTypeRegistration> EntityTypes => _entityTypes;

    /// <summary>
    /// Serve <typeparamref name="TRequest"/> with a handler made by <paramref name="factory"/>,
    /// once per worker; settings come from <c>actors.handlers.&lt;name&gt;</c> (lane = cpu by default).
    /// </summary>
    public ActorsBuilder AddHandler<TRequest>(string name, Func<HandlerContext, IRequestHandler<TRequest>> factory)
        where TRequest : IRequest
    {
        if (_handlers.Any(h => h.RequestType == typeof(TRequest) || h.Name == name))
        {
            throw new ArgumentException($"a handler named '{name}' or for {typeof(TRequest).Name} is already registered");
        }

        _handlers.Add(HandlerRegistration.Create(name, factory));
        return this;
    }

    /// <summary>
    /// Serve every request assignable to <typeparamref name="TCommand"/> with a persisted entity
    /// per key; settings come from <c>actors.entities.&lt;name&gt;</c> over <c>actors.entities.defaults</c>.
    /// </summary>
    public ActorsBuilder AddEntityType<TState, TCommand, TEvent>(string name,
        Func<HandlerContext, IEntityHandler<TState, TCommand, TEvent>> factory)
        where TState : class, IJournaled
        where TCommand : IKeyedRequest
        where TEvent : class, IJournaled
    {
        if (_entityTypes.Any(e => e.Name == name || e.CommandType.IsAssignableFrom(typeof(TCommand)) ||
                                  typeof(TCommand).IsAssignableFrom(e.CommandType)))
        {
            throw new ArgumentException($"entity type '{name}' overlaps one already registered");
        }

        _entityTypes.Add(new EntityTypeRegistration<TState, TCommand, TEvent>(name, factory));
        return this;
    }

    /// <summary>
    /// Message types from <paramref name="assemblies"/> may cross the wire too. The assemblies of
    /// the handlers' requests and the entity types' commands are registered with them; this is
    /// for contracts the node has neither for (replies kept apart from their requests, requests
    /// this node forwards to its own actors).
    /// </summary>
    public ActorsBuilder AddContracts(params System.Reflection.Assembly[] assemblies)
    {
        _contracts.AddRange(assemblies);
        return this;
    }

    /// <summary>Assemblies whose <see cref="IActorsMessage"/> types may cross the wire.</summary>
    public IEnumerable<System.Reflection.Assembly> ProtocolAssemblies =>
        _handlers.Select(h => h.RequestType.Assembly)
            .Concat(_contracts)
            .Concat(_entityTypes.Select(e => e.CommandType.Assembly))
            // The protocol (Actors.Client) and what members send each other (this assembly).
            .Prepend(typeof(Gateway.RoutedRequest).Assembly)
            .Prepend(typeof(IActorsMessage).Assembly)
            .Distinct();
}
