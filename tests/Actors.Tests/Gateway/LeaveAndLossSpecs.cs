using Actors.Gateway;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Sql;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Gateway;

/// <summary>Requests lost inside a node are answered at once, and a leaving node's gateway drains.</summary>
public sealed class LeaveAndLossSpecs(ITestOutputHelper output) : NodeSpec(output, BrokenJournal)
{
    /// <summary>
    /// The counter type on a journal that cannot be opened: every entity's recovery fails, and the
    /// commands it had stashed meanwhile end up as dead letters. A request deadline far beyond the
    /// spec's patience shows the answer is not the deadline's Timeout.
    /// </summary>
    private static readonly string BrokenJournal = ConfigurationFactory.ParseString("""
            class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
            provider-name = "SQLite.MS"
            connection-string = "Data Source=/proc/actors-no-such-folder/journal.db"
            auto-initialize = off
            """)
        .WithFallback(SqlPersistence.DefaultJournalConfiguration.GetConfig("akka.persistence.journal.sql"))
        .ToString(includeFallback: true)
        .Insert(0, "broken-journal ") + """

        actors.entities.counter.journal-plugin-id = broken-journal
        actors.admission.request-deadline = 10m
        akka.persistence.journal-plugin-fallback.recovery-event-timeout = 5s
        """;

    [Fact]
    public async Task A_command_to_an_entity_whose_recovery_fails_is_answered_Unavailable_without_waiting_for_the_deadline()
    {
        var error = await ExpectError(new AddToCounter(Id(), "unrecoverable", 1), ErrorCode.Unavailable);

        error.Message.Should().Contain("not processed");
        // The node goes on serving what does not need that journal.
        (await Expect<PiEstimated>(new EstimatePi(Id(), 1000))).Should().NotBeNull();
    }

    [Fact]
    public async Task A_draining_gateway_reports_drained_and_then_refuses_new_requests_as_retryable()
    {
        var drained = await Gateway.Ask<Drained>(new DrainGateway(TimeSpan.FromSeconds(5)), Patience);
        drained.StillInFlight.Should().Be(0);

        var refused = await ExpectError(new EstimatePi(Id(), 1000), ErrorCode.Overloaded);
        refused.Message.Should().Contain("leaving");
        refused.RetryAfter.Should().NotBeNull();
    }
}
