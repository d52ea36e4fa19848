using System.Text.RegularExpressions;
using Actors.Handlers;
using Actors.Protocol;
using Actors.Serialization;
using Akka.Actor;
using Akka.Configuration;

namespace Actors.Entities;

/// <summary>An entity type registered with <see cref="Hosting.ActorsBuilder"/>.</summary>
public abstract partial class EntityTypeRegistration
{
    protected EntityTypeRegistration(string name, Type commandType)
    {
        if (!ValidName().IsMatch(name))
        {
            throw new ArgumentException($"entity type name '{name}' must match {ValidName()}", nameof(name));
        }

        Name = name;
        CommandType = commandType;
    }

    public string Name { get; }

    /// <summary>The command base type; every request assignable to it goes to this entity type.</summary>
    public Type CommandType { get; }

    /// <summary>The state and event types that go into the journal.</summary>
    public abstract IReadOnlyList<Type> JournalTypes { get; }

    /// <summary>Props per key; <paramref name="live"/> is this node's tracker for the type.</summary>
    public abstract Func<string, Props> PropsFactory(ActorSystem system, IServiceProvider? services, LiveEntities live,
        Telemetry.NodeTelemetry telemetry);

    [GeneratedRegex("^[a-z][a-z0-9_.-]{0,63}$")]
    private static partial Regex ValidName();
}

internal sealed class EntityTypeRegistration<TState, TCommand, TEvent>(
    string name,
    Func<HandlerContext, IEntityHandler<TState, TCommand, TEvent>> factory)
    : EntityTypeRegistration(name, typeof(TCommand))
    where TState : class, IJournaled
    where TCommand : IKeyedRequest
    where TEvent : class, IJournaled
{
    public override IReadOnlyList<Type> JournalTypes { get; } = JournalTypesOf();

    public override Func<string, Props> PropsFactory(ActorSystem system, IServiceProvider? services, LiveEntities live,
        Telemetry.NodeTelemetry telemetry)
    {
        var settings = EntityTypeSettings.From(system.Settings.Config, Name);
        var context = new HandlerContext(system, system.Settings.Config.GetConfig($"actors.entities.{Name}") ?? Config.Empty, services);
        // Entity handlers are pure functions of (state, command): one instance serves every entity.
        var handler = factory(context);
        var name = Name;
        if (!settings.Persistent)
        {
            return key => Props.Create(() => new VolatileEntityActor<TState, TCommand, TEvent>(name, key, handler, settings, live, telemetry))
                .WithMailbox(EntityMailbox.Id);
        }

        var backoff = new RecoveryBackoff(settings.RecoveryBackoffMin, settings.RecoveryBackoffMax,
            system.Settings.Config.GetTimeSpan("actors.log.offence-interval"), Math.Max(1000, settings.MaxLive));
        var snapshots = new SnapshotSlots(settings.MaxSnapshotsInFlight, system.Settings.Config.GetTimeSpan("actors.log.offence-interval"));
        var failures = new EntityFailureLog(system.Settings.Config.GetTimeSpan("actors.log.offence-interval"));
        return key => backoff.Remaining(key, Environment.TickCount64) is { } wait
            ? BackingOffEntity.Props(name, key, wait, backoff.Failures(key), live, telemetry)
            : Props.Create(() => new EntityActor<TState, TCommand, TEvent>(name, key, handler, settings, live, telemetry, backoff, snapshots, failures))
                .WithMailbox(EntityMailbox.Id);
    }

    private static IReadOnlyList<Type> JournalTypesOf()
    {
        var events = typeof(TEvent).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(TEvent).IsAssignableFrom(t));
        var types = events.Prepend(typeof(TState)).Distinct().ToList();
        // Fail at start-up, not at the first write, when a type has no stable journal name.
        foreach (var type in types)
        {
            JournalSerializer.ManifestOf(type);
        }

        return types;
    }
}
