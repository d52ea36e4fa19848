using Actors.Hosting;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Persistence.Sql.Config;
using FluentAssertions;
using LinqToDB.Data;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Entities;

/// <summary>
/// An acknowledged write is fsynced: the SQLite journal's and snapshot store's own connections
/// are opened through options that set synchronous = FULL and read it back.
/// </summary>
public sealed class JournalDurabilitySpecs(ITestOutputHelper output) : NodeSpec(output)
{
    [Fact]
    public async Task The_journals_own_connections_run_with_synchronous_full()
    {
        await Expect<CounterValue>(new AddToCounter(Id(), "durable", 1));
        var durability = Sys.Settings.Setup.Get<SqliteDurability>().Value;
        var checkedByTheJournal = durability.ConnectionsChecked(SqliteDurability.JournalPlugin);
        checkedByTheJournal.Should().BeGreaterThan(0, "the write above went through connections opened with these options");

        Sys.Settings.Setup.Get<MultiDataOptionsSetup>().Value.TryGetDataOptionsFor(SqliteDurability.JournalPlugin, out var options)
            .Should().BeTrue("the journal plugin takes its connections from these options");
        using var connection = new DataConnection(options!);
        var synchronous = connection.Execute<long>("PRAGMA synchronous");

        synchronous.Should().Be(SqliteDurability.Full);
        durability.Commits(SqliteDurability.JournalPlugin).Should().BeGreaterThan(0, "SQLite's commit hook counts the journal's transactions");
    }
}
