using Actors.Hosting;
using Akka.Configuration;

namespace Actors.Host.Bench;

/// <summary>
/// The raw baseline's journal: a stock Akka.Persistence.Sql plugin instance of its own
/// (<c>akka.persistence.journal.baseline</c>), on a SQLite file of its own beside the node's (or the
/// same PostgreSQL), with only the settings known to be needed (WAL and read-uncommitted on SQLite)
/// and the same durability (SQLite's synchronous = FULL, its build default). Tuning ours never tunes it.
/// </summary>
internal static class BaselineJournal
{
    public const string PluginId = "akka.persistence.journal.baseline";

    public static Config For(NodeOptions options)
    {
        string own;
        if (options.PostgresConnection is { } postgres)
        {
            own = $"""
                provider-name = "PostgreSQL.15"
                connection-string = {ActorsConfig.Quote(postgres)}
                """;
        }
        else
        {
            var journal = Path.GetFullPath(options.SqlitePath ?? NodeConfig.Defaults.GetString("actors.journal.sqlite-path"));
            var file = Path.Combine(Path.GetDirectoryName(journal)!, Path.GetFileNameWithoutExtension(journal) + "-baseline" + Path.GetExtension(journal));
            var connection = SqliteJournal.PrepareFile(file);
            own = $"""
                provider-name = "SQLite.MS"
                connection-string = {ActorsConfig.Quote(connection)}
                read-isolation-level = read-uncommitted
                """;
        }

        // Everything not named here is the plugin's own default (it falls back to its reference config).
        return ConfigurationFactory.ParseString($$"""
            {{PluginId}} {
              class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
              plugin-id = "{{PluginId}}"
              plugin-dispatcher = "akka.persistence.dispatchers.default-plugin-dispatcher"
              {{own}}
              auto-initialize = true
            }
            """);
    }
}
