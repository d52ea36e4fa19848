using System.Data.Common;
using Akka.Persistence.Sql.Journal.Types;
using LinqToDB.Mapping;

namespace Actors.Storage;

/// <summary>
/// The plugin's tables as its linq2db mapping names and converts them: the columns an insert
/// sets (not the identity), quoted for the provider, and each row's values as the provider takes them.
/// </summary>
internal static class JournalColumns
{
    /// <summary>The table's quoted name and the columns an insert sets, with their quoted names.</summary>
    public static (string Table, ColumnDescriptor[] Columns, string[] Names) Of<T>(LinqToDB.ITable<T> table)
        where T : class
    {
        var (name, column) = SqlPlugins.Names(table);
        var columns = table.DataContext.MappingSchema.GetEntityDescriptor(typeof(T)).Columns
            .Where(c => !c.IsIdentity && !c.SkipOnInsert).ToArray();
        return (name, columns, columns.Select(c => column(c.MemberName)).ToArray());
    }

    /// <summary>A prepared-to-be INSERT of one row, its parameters in column order (<see cref="Bind"/>).</summary>
    public static (DbCommand Command, ColumnDescriptor[] Columns) Insert<T>(DbConnection connection, LinqToDB.ITable<T> table, string returning = "")
        where T : class
    {
        var (name, columns, names) = Of(table);
        var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO {name} ({string.Join(", ", names)}) " +
                              $"VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))}){returning}";
        for (var i = 0; i < columns.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@p" + i;
            command.Parameters.Add(parameter);
        }

        return (command, columns);
    }

    public static void Bind(DbCommand command, ColumnDescriptor[] columns, object row)
    {
        for (var i = 0; i < columns.Length; i++)
        {
            command.Parameters[i].Value = columns[i].GetProviderValue(row) ?? DBNull.Value;
        }
    }

    /// <summary>The row's tags into the plugin's tag table, pointing at the ordering its insert was given.</summary>
    public static void InsertTags(DbCommand insert, ColumnDescriptor[] columns, JournalRow row, long ordering)
    {
        foreach (var tag in row.TagArray)
        {
            Bind(insert, columns, new JournalTagRow
            {
                OrderingId = ordering,
                TagValue = tag,
                PersistenceId = row.PersistenceId,
                SequenceNumber = row.SequenceNumber,
            });
            insert.ExecuteNonQuery();
        }
    }
}
