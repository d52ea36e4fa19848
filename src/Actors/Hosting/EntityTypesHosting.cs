using Actors.Entities;
using Actors.Gateway;
using Akka.Cluster.Sharding;
using Akka.Hosting;

namespace Actors.Hosting;

/// <summary>
/// Marker under which an entity type's shard region is kept in Akka.Hosting's <see cref="ActorRegistry"/>,
/// by the command interface of its requests (e.g. <c>EntityRegion&lt;ICounterCommand&gt;</c>).
/// </summary>
public sealed class EntityRegion<TCommand>;

/// <summary>Starts each entity type behind Cluster Sharding, with its live-entity table swept for idleness and its own admission limit.</summary>
internal static class EntityTypesHosting
{
    public static AkkaConfigurationBuilder WithEntityTypes(this AkkaConfigurationBuilder builder,
        IReadOnlyList<EntityTypeRegistration> entityTypes, NodeParts parts) =>
        builder.WithActors(async (system, registry, resolver) =>
        {
            var config = system.Settings.Config;
            var limits = LimitSettings.From(config);
            var sharding = ClusterSharding.Get(system);
            var shardingSettings = ClusterShardingSettings.Create(system);
            var shards = config.RequireInt("actors.sharding.shards");
            foreach (var entityType in entityTypes)
            {
                var settings = EntityTypeSettings.From(config, entityType.Name);
                var live = new LiveEntities(settings.MaxLive, settings.IdleTimeout);
                system.Scheduler.Advanced.ScheduleRepeatedly(live.SweepInterval, live.SweepInterval, live.SweepIdle);
                parts.Telemetry.AddEntityType(entityType.Name, live);
                var region = await sharding.StartAsync(entityType.Name,
                    entityType.PropsFactory(system, NodeParts.Services(resolver), live, parts.Telemetry),
                    shardingSettings, new EntityMessageExtractor(shards),
                    sharding.DefaultShardAllocationStrategy(shardingSettings), StopEntity.Instance);
                var limit = new AdmissionLimit(settings.MinInFlight, settings.MaxInFlight, limits);
                parts.EntityRoutes.Add((entityType.CommandType,
                    new Route($"entity type {entityType.Name}", region, limit) { ResendRetries = true }));
                parts.Regions.Add((entityType.Name, region));
                registry.TryRegister(typeof(EntityRegion<>).MakeGenericType(entityType.CommandType), region);
            }
        });
}
