using Actors.Hosting;
using Akka.Actor;
using Akka.Cluster;
using Akka.Persistence;

namespace Actors.Web;

/// <summary>
/// Whether this node should be sent requests: its member is Up and not leaving, its gateway
/// endpoint serves, and its journal answers a read. The journal is asked at most once per
/// <see cref="WebSettings.JournalProbeInterval"/>, whatever the rate of probes.
/// </summary>
public sealed class Readiness(ActorSystem system, WebSettings settings)
{
    // No entity's persistence id ("type:key") can be this one: it has no ':'.
    private const string ProbeId = "actors-readiness-probe";

    private readonly Lock _gate = new();
    private Task<string?>? _probe;
    private long _probedAt;

    /// <summary>Null when ready, else why not (one line, for the 503's body and the operator).</summary>
    public async Task<string?> WhyNotReadyAsync()
    {
        if (CoordinatedShutdown.Get(system).ShutdownReason is { } reason)
        {
            return $"the node is leaving ({reason.GetType().Name})";
        }

        var self = Cluster.Get(system).SelfMember;
        if (self.Status != MemberStatus.Up)
        {
            return $"the member is {self.Status}, not Up";
        }

        if (GatewayEndpoint.Of(system) is not { WhenTerminated.IsCompleted: false })
        {
            return "the gateway endpoint is not serving";
        }

        return await JournalProbe();
    }

    private Task<string?> JournalProbe()
    {
        lock (_gate)
        {
            var now = Environment.TickCount64;
            if (_probe is null || (_probe.IsCompleted && now - _probedAt >= settings.JournalProbeInterval.TotalMilliseconds))
            {
                _probedAt = now;
                _probe = AskJournalAsync();
            }

            return _probe;
        }
    }

    /// <summary>The read every recovery starts with (the highest sequence number of an id), through the journal plugin itself.</summary>
    private async Task<string?> AskJournalAsync()
    {
        try
        {
            var journal = Persistence.Instance.Apply(system).JournalFor(null);
            var answer = await journal.Ask<object>(replyTo => new ReplayMessages(0, 0, 0, ProbeId, replyTo), settings.JournalProbeTimeout,
                CancellationToken.None);
            return answer switch
            {
                RecoverySuccess => null,
                ReplayMessagesFailure failure => $"the journal is unreachable: {failure.Cause.GetBaseException().Message}",
                _ => $"the journal answered {answer.GetType().Name}",
            };
        }
        catch (AskTimeoutException)
        {
            return $"the journal did not answer within {settings.JournalProbeTimeout}";
        }
    }
}
