using Akka.Actor.Setup;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;

namespace Actors.Storage;

/// <summary>
/// The settings Akka.Persistence.Sql's journal and snapshot store build from their HOCON block and
/// the actor system's setups (as their constructors do), so our batched reads open the same
/// connections — on SQLite, through <see cref="Hosting.SqliteDurability"/> — as the plugins' own.
/// </summary>
internal static class SqlPlugins
{
    /// <summary>The journal's settings, or null where they cannot be known (a single DataOptionsSetup keeps its options private).</summary>
    public static JournalConfig? Journal(Akka.Configuration.Config block, ActorSystemSetup setup)
    {
        if (setup.Get<DataOptionsSetup>().HasValue)
        {
            return null;
        }

        var config = new JournalConfig(block.WithFallback(SqlPersistence.DefaultJournalConfiguration));
        return config.PluginId is not null && setup.Get<MultiDataOptionsSetup>() is { HasValue: true } multi &&
               multi.Value.TryGetDataOptionsFor(config.PluginId, out var options) && options is not null
            ? config.WithDataOptions(options)
            : config;
    }

    /// <summary>The snapshot store's settings, or null (as <see cref="Journal"/>).</summary>
    public static SnapshotConfig? Snapshots(Akka.Configuration.Config block, ActorSystemSetup setup)
    {
        if (setup.Get<DataOptionsSetup>().HasValue)
        {
            return null;
        }

        var config = new SnapshotConfig(block.WithFallback(SqlPersistence.DefaultSnapshotConfiguration));
        return config.PluginId is not null && setup.Get<MultiDataOptionsSetup>() is { HasValue: true } multi &&
               multi.Value.TryGetDataOptionsFor(config.PluginId, out var options) && options is not null
            ? config.WithDataOptions(options)
            : config;
    }

    /// <summary>
    /// Batched reads are written as SQL (with one parameter per id) rather than LINQ: linq2db
    /// rebuilds a LINQ query with a list of ids every time, and that cost per query was most of
    /// what a batch saved (profiled). Names are the plugin's mapping's, so a renamed table or
    /// column (table-mapping in HOCON) is read where it is.
    /// </summary>
    public static (string Table, Func<string, string> Column) Names<T>(LinqToDB.ITable<T> table)
        where T : class
    {
        var descriptor = table.DataContext.MappingSchema.GetEntityDescriptor(typeof(T));
        var name = Quote(table.TableName);
        if (!string.IsNullOrEmpty(table.SchemaName))
        {
            name = Quote(table.SchemaName) + "." + name;
        }

        return (name, member => Quote(descriptor.Columns.First(c => c.MemberName == member).ColumnName));
    }

    /// <summary>Whether the mapping has a column for this member (some are optional: writer uuid, event manifest).</summary>
    public static Func<string, bool> Mapped<T>(LinqToDB.ITable<T> table)
        where T : class
    {
        var descriptor = table.DataContext.MappingSchema.GetEntityDescriptor(typeof(T));
        return member => descriptor.Columns.Any(c => c.MemberName == member);
    }

    /// <summary>
    /// <c>@p0, @p1, ...</c> for <paramref name="ids"/>, and the parameters. Batches are at most
    /// recovery-batch-size ids, below every supported database's parameter limit.
    /// </summary>
    public static (string List, LinqToDB.Data.DataParameter[] Parameters) IdParameters(IReadOnlyList<string> ids) =>
        (string.Join(", ", ids.Select((_, i) => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            ids.Select((id, i) => new LinqToDB.Data.DataParameter("p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), id, LinqToDB.DataType.NVarChar))
                .ToArray());

    // Standard SQL quoting (SQLite and PostgreSQL): names exactly as the mapping spells them.
    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Longest event range (events) one id's replay may have to be gathered with others (<c>recovery-batch-events-per-id</c>).</summary>
    public static long RecoveryBatchEventsPerId(Akka.Configuration.Config block)
    {
        var events = block.GetLong("recovery-batch-events-per-id", 0);
        return events >= 1 ? events : throw new Akka.Configuration.ConfigurationException(
            $"{block.GetString("plugin-id", "the SQL journal")}.recovery-batch-events-per-id must be set (node.conf) and at least 1");
    }

    /// <summary>Most persistence ids one recovery read carries (<c>recovery-batch-size</c> in the plugin's block).</summary>
    public static int RecoveryBatchSize(Akka.Configuration.Config block)
    {
        var size = block.GetInt("recovery-batch-size", 0);
        return size >= 1 ? size : throw new Akka.Configuration.ConfigurationException(
            $"{block.GetString("plugin-id", "the SQL plugin")}.recovery-batch-size must be set (node.conf) and at least 1");
    }

    /// <summary>
    /// How long a round of snapshot saves and deletes gathers before it takes them
    /// (<c>write-gather</c>, node.conf); null for none.
    /// </summary>
    public static Func<Task>? WriteGather(Akka.Configuration.Config block)
    {
        if (!block.HasPath("write-gather"))
        {
            throw new Akka.Configuration.ConfigurationException(
                $"{block.GetString("plugin-id", "the SQL snapshot store")}.write-gather must be set (node.conf)");
        }

        var gather = block.GetTimeSpan("write-gather");
        return gather > TimeSpan.Zero ? () => Task.Delay(gather) : null;
    }
}
