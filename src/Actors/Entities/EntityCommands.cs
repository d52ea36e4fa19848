using Actors.Handlers;
using Actors.Protocol;
using Actors.Serialization;
using Akka.Event;

namespace Actors.Entities;

/// <summary>
/// What one command does to an entity, for both kinds of entity actor: a retried write is
/// recognised (by request id and a hash of the command) and answered without applying it again,
/// a reused id is refused, the handler decides, and a write too many for the request window is
/// refused. Plain logic: the actor stores the write (or not) and sends the answer.
/// </summary>
internal sealed class EntityCommands<TState, TCommand, TEvent>(
    IEntityHandler<TState, TCommand, TEvent> handler, RequestWindow requests, EntityTypeSettings settings, string entityId,
    ILoggingAdapter log, WireShape? wire = null)
    where TState : class, IJournaled
    where TCommand : IKeyedRequest
    where TEvent : class, IJournaled
{
    /// <summary>The ids this entity has written (from its journal, or from this instance while it lives).</summary>
    public RequestWindow Requests { get; } = requests;

    /// <param name="unwritten">A write of this id decided but not yet stored, if any (a persistent entity's group commit).</param>
    /// <param name="unwrittenCount">How many such writes there are: they will take room in the window too.</param>
    public Outcome Decide(TState state, TCommand command, Func<string, AppliedRequest?> unwritten, int unwrittenCount, long nowUnixMs)
    {
        var id = command.RequestId;
        // The command's hash is made (a JSON serialization) only for a write or a known id; no
        // closure per command: this runs for every request an entity takes.
        var hash = AppliedRequest.UnknownHash;
        var known = unwritten(id)?.CommandHash ?? Requests.KnownHash(id);
        var seen = RequestSeen.New;
        if (known is { } written)
        {
            seen = written == AppliedRequest.UnknownHash || written == (hash = Hashes.OfCommand(command))
                ? RequestSeen.Applied
                : RequestSeen.Reused;
        }

        if (seen == RequestSeen.Applied)
        {
            // A retry of a write this entity already made (or is making): answer, apply nothing.
            return new Outcome.Answer(AlreadyApplied(state, command), AfterWrites: true);
        }

        if (seen == RequestSeen.Reused)
        {
            return new Outcome.Answer(new ErrorReply(id, ErrorCode.InvalidRequest,
                $"request id {id} was used for a different command within the last {settings.RememberRequestsFor.TotalSeconds:0} s; ids must be unique"));
        }

        EntityStep<TState, TEvent> step;
        try
        {
            step = EntityLogic.Step(handler, state, command);
        }
        catch (Exception e)
        {
            // Nothing was written or changed: the entity goes on serving.
            return new Outcome.Answer(Failed(id, e));
        }

        if (wire?.Refusal(step.Reply) is { } cannotTravel)
        {
            // Its caller would wait for the deadline (the member it goes to drops what it cannot read); nothing is
            // written. The caller hears why; the log only at Debug, as one per request could flood it.
            log.Debug("Entity {0}: {1}", entityId, cannotTravel);
            return new Outcome.Answer(new ErrorReply(id, ErrorCode.HandlerFailed, $"{cannotTravel}; nothing was written"));
        }

        if (step.Events.Count == 0)
        {
            // A read sees every decided change.
            return new Outcome.Answer(step.Reply, AfterWrites: true);
        }

        if (Requests.FullFor(nowUnixMs, unwrittenCount) is { } wait)
        {
            // Every id it could remember is still inside the window: forgetting one could apply its retry twice.
            return new Outcome.Answer(new ErrorReply(id, ErrorCode.Overloaded,
                $"{entityId} took {settings.MaxRememberedRequests} writes within {settings.RememberRequestsFor.TotalSeconds:0} s " +
                "(actors.entities max-remembered-requests)", wait));
        }

        return new Outcome.Write(new AppliedRequest(id, hash != AppliedRequest.UnknownHash ? hash : Hashes.OfCommand(command), nowUnixMs),
            step.Events, step.Next, step.Reply);
    }

    /// <summary>A command that failed in the handler or could not be stored: HandlerFailed with its message (logged here).</summary>
    public ErrorReply Failed(string requestId, Exception e)
    {
        log.Warning("Entity {0} failed on request {1}: {2}", entityId, requestId, e.Message);
        return new ErrorReply(requestId, ErrorCode.HandlerFailed, e.Message);
    }

    private IReply AlreadyApplied(TState state, TCommand command)
    {
        IReply reply;
        try
        {
            reply = handler.AlreadyApplied(state, command);
        }
        catch (Exception e)
        {
            return Failed(command.RequestId, e);
        }

        // The same check as a new write's reply (below in Decide): a retry must not wait for its deadline either.
        return wire?.Refusal(reply) is { } cannotTravel
            ? new ErrorReply(command.RequestId, ErrorCode.HandlerFailed, $"{cannotTravel}; the write was applied before")
            : reply;
    }

    /// <summary>What the actor does with a command.</summary>
    public abstract record Outcome
    {
        /// <summary>Answer with <paramref name="Reply"/>; if <paramref name="AfterWrites"/>, not before the writes decided earlier are stored.</summary>
        public sealed record Answer(IReply Reply, bool AfterWrites = false) : Outcome;

        /// <summary>A write: remember <paramref name="Request"/>, store <paramref name="Events"/>, move to <paramref name="Next"/>, then answer.</summary>
        public sealed record Write(AppliedRequest Request, IReadOnlyList<TEvent> Events, TState Next, IReply Reply) : Outcome;
    }
}
