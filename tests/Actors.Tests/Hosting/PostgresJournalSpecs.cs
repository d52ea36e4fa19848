using Actors.Hosting;
using FluentAssertions;
using LinqToDB;
using LinqToDB.Data;
using LinqToDB.DataProvider.PostgreSQL;
using Xunit;

namespace Actors.Tests.Hosting;

/// <summary>
/// What a node on PostgreSQL gives the journal and snapshot store: their connection, and batches
/// written by binary COPY. Group commit itself is counted by the server in the cluster tests
/// (PostgresGroupCommitSpecs).
/// </summary>
public sealed class PostgresJournalSpecs
{
    private const string Connection = "Host=127.0.0.1;Port=5432;Database=shop;Username=shop;Password=secret";

    [Theory]
    [InlineData(NodeConfig.JournalPlugin)]
    [InlineData(NodeConfig.SnapshotPlugin)]
    public void Both_plugins_get_the_connection_with_batches_written_by_binary_copy(string plugin)
    {
        PostgresJournal.Connections(Connection).TryGetDataOptionsFor(plugin, out var options).Should().BeTrue();

        options!.ConnectionOptions.ProviderName.Should().Be(ProviderName.PostgreSQL15);
        options.ConnectionOptions.ConnectionString.Should().Be(Connection);
        options.FindOrDefault(PostgreSQLOptions.Default).BulkCopyType.Should().Be(BulkCopyType.ProviderSpecific);
    }

    [Fact]
    public void A_malformed_connection_string_is_refused_at_start_with_what_is_wrong()
    {
        var start = () => PostgresJournal.ConnectionConfig("Host=127.0.0.1;Bogus Keyword=1");

        start.Should().Throw<FormatException>().WithMessage("the PostgreSQL connection string is not valid:*");
    }
}
