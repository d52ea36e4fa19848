using Actors.Hosting;
using Akka.Configuration;

namespace Actors.Entities;

/// <summary>Per-entity-type settings, read from <c>actors.entities.&lt;type&gt;</c> over <c>actors.entities.defaults</c>.</summary>
public sealed record EntityTypeSettings(TimeSpan IdleTimeout, int SnapshotEvery, int MaxLive, int MaxInFlight,
    string JournalPluginId, string SnapshotPluginId, bool Persistent = true, TimeSpan RememberRequestsFor = default,
    int MaxRememberedRequests = 1, int MinInFlight = 1, TimeSpan RecoveryBackoffMin = default, TimeSpan RecoveryBackoffMax = default,
    bool DeleteCoveredEvents = false, int MaxSnapshotsInFlight = 1, double SnapshotSpread = 0)
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
            merged.RequireTimeSpan("recovery-backoff.max"),
            Retention(merged.RequireString("retention"), entityType),
            merged.RequireInt("max-snapshots-in-flight"),
            merged.RequireDouble("snapshot-spread"));
        if (settings.IdleTimeout <= TimeSpan.Zero || settings.SnapshotEvery <= 0 || settings.MaxSnapshotsInFlight <= 0 ||
            settings.SnapshotSpread is < 0 or >= 1 || settings.MaxLive < 0 || settings.MaxInFlight <= 0 ||
            settings.MinInFlight <= 0 || settings.RememberRequestsFor <= TimeSpan.Zero || settings.MaxRememberedRequests <= 0 ||
            settings.RecoveryBackoffMin <= TimeSpan.Zero || settings.RecoveryBackoffMax < settings.RecoveryBackoffMin)
        {
            throw new ConfigurationException(
                $"actors.entities.{entityType}: idle-timeout, snapshot-every, max-snapshots-in-flight, min-in-flight, max-in-flight, remember-requests-for, max-remembered-requests and recovery-backoff.min must be positive, recovery-backoff.min <= max, max-live 0 or more, 0 <= snapshot-spread < 1");
        }

        return settings;
    }

    private static bool Retention(string value, string entityType) => value switch
    {
        "all" => false,
        "since-snapshot" => true,
        _ => throw new ConfigurationException($"actors.entities.{entityType}.retention must be all or since-snapshot (got '{value}')"),
    };
}
