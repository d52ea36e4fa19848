using System.Text.RegularExpressions;
using Actors.Handlers;
using Actors.Protocol;
using Actors.Serialization;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Actors.Hosting;

namespace Actors.Entities;

/// <summary>Per-entity-type settings, read from <c>actors.entities.&lt;type&gt;</c> over <c>actors.entities.defaults</c>.</summary>
public sealed record EntityTypeSettings(TimeSpan IdleTimeout, int SnapshotEvery, int MaxLive, int MaxInFlight,
    string JournalPluginId, string SnapshotPluginId, bool Persistent = true, TimeSpan RememberRequestsFor = default,
    int MaxRememberedRequests = 1, int MinInFlight = 1, TimeSpan RecoveryBackoffMin = default, TimeSpan RecoveryBackoffMax = default)
{
    public static EntityTypeSettings From(Config config, string entityType)
    {
        var defaults = config.GetConfig("actors.entities.defaults") ?? Config.Empty;
        var own = config.GetConfig($"actors.entities.{entityType}") ?? Config.Empty;
        var merged = own.WithFallback(defaults);
        var settings = new EntityTypeSettings(
            merged.RequireTimeSpan("idle-timeout"),
            merged.RequireInt("snapshot-every"),
            merged.RequireInt("max-live"),
            merged.RequireInt("max-in-flight"),
            merged.RequireString("journal-plugin-id"),
            merged.RequireString("snapshot-plugin-id"),
            merged.RequireBoolean("persistent"),
            merged.RequireTimeSpan("remember-requests-for"),
            merged.RequireInt("max-remembered-requests"),
            merged.RequireInt("min-in-flight"),
            merged.RequireTimeSpan("recovery-backoff.min"),
            merged.RequireTimeSpan("recovery-backoff.max"));
        if (settings.IdleTimeout <= TimeSpan.Zero || settings.SnapshotEvery <= 0 || settings.MaxLive < 0 || settings.MaxInFlight <= 0 ||
            settings.MinInFlight <= 0 || settings.RememberRequestsFor <= TimeSpan.Zero || settings.MaxRememberedRequests <= 0 ||
            settings.RecoveryBackoffMin <= TimeSpan.Zero || settings.RecoveryBackoffMax < settings.RecoveryBackoffMin)
        {
            throw new ConfigurationException(
                $"actors.entities.{entityType}: idle-timeout, snapshot-every, min-in-flight, max-in-flight, remember-requests-for, max-remembered-requests and recovery-backoff.min must be positive, recovery-backoff.min <= max, max-live 0 or more");
        }

        return settings;
    }
}

/// <summary>Maps a keyed request to its entity (by key) and shard (by a stable hash of the key).</summary>
public sealed class EntityMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => ((message as Gateway.RoutedRequest)?.Request as IKeyedRequest)?.Key;
}

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
            return key => Props.Create(() => new VolatileEntityActor<TState, TCommand, TEvent>(name, key, handler, settings, live, telemetry));
        }

        var backoff = new RecoveryBackoff(settings.RecoveryBackoffMin, settings.RecoveryBackoffMax,
            system.Settings.Config.GetTimeSpan("actors.log.offence-interval"), Math.Max(1000, settings.MaxLive));
        return key => backoff.Remaining(key, Environment.TickCount64) is { } wait
            ? BackingOffEntity.Props(name, key, wait, backoff.Failures(key), live, telemetry)
            : Props.Create(() => new EntityActor<TState, TCommand, TEvent>(name, key, handler, settings, live, telemetry, backoff));
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
