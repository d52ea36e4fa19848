using Actors.Security;
using Akka.Actor;

namespace Actors.Gateway;

/// <summary>
/// The gateway endpoint's user guardian strategy: its gateway resumes after any failure. Akka.NET's
/// untrusted mode drops PoisonPill from the wire but not <see cref="Kill"/> (not marked possibly
/// harmful), and under the default strategy a Kill would stop the gateway for every client.
/// </summary>
public sealed class EndpointGuardianStrategy : SupervisorStrategyConfigurator
{
    public override SupervisorStrategy Create() => new ResumeAfterKill();

    private sealed class ResumeAfterKill() : OneForOneStrategy(e => e is ActorInitializationException ? Directive.Stop : Directive.Resume)
    {
        private OffenceLog? _kills;

        // A Kill from the wire is an offence like any other: one line per interval, no stack trace.
        protected override void LogFailure(IActorContext context, IActorRef child, Exception cause, Directive directive)
        {
            if (cause is ActorKilledException)
            {
                _kills ??= new OffenceLog(context.System.Log, context.System.Settings.Config.GetTimeSpan("actors.log.offence-interval"));
                _kills.Report($"a Kill sent to {child.Path.Name} (resumed)", "the wire");
                return;
            }

            base.LogFailure(context, child, cause, directive);
        }
    }
}
