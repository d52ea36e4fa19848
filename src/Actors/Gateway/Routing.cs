using System.Diagnostics;
using Actors.Protocol;
using Actors.Tracing;
using Akka.Actor;

namespace Actors.Gateway;

/// <summary>
/// A request as the gateway hands it to a lane or an entity, on this node or another: the
/// payload plus what the gateway needs to match the answer. <paramref name="Token"/> is made
/// fresh (random) for every admission, so a reply or an "undelivered" notice that does not
/// carry it is not believed, whoever appears to have sent it: Akka.Remote does not
/// authenticate sender paths, and request ids are chosen by callers. <paramref name="Deadline"/>
/// (UTC) is when the gateway answers Timeout; work that starts later is skipped.
/// <paramref name="Gateway"/> is the routing gateway's full path, so a node that drops the request
/// where the sender is lost (a shard region's hand-off drops what it buffered, naming itself as
/// the sender) can still tell that gateway at once. <paramref name="TraceParent"/>: the W3C
/// traceparent of the gateway's span (or the caller's), when the request is traced.
/// </summary>
public sealed record RoutedRequest(Guid Token, IRequest Request, DateTime Deadline, string? Gateway = null, string? TraceParent = null)
    : IActorsMessage
{
    public bool Expired => DateTime.UtcNow >= Deadline;
}

/// <summary>The answer to a <see cref="RoutedRequest"/>, sent back to the gateway that routed it.</summary>
public sealed record RoutedReply(Guid Token, IReply Reply) : IActorsMessage;

/// <summary>
/// Who waits for an answer to a routed request: the gateway that sent it, and its token; and,
/// when traced, the span of the work done for it here, which ends with the answer.
/// </summary>
public readonly record struct Caller(IActorRef Gateway, Guid Token, Activity? Span = null)
{
    public static Caller Of(RoutedRequest routed, IActorRef sender) => new(sender, routed.Token);

    /// <summary>A caller whose request is handled here: a span named <paramref name="work"/> under the gateway's, when traced.</summary>
    public static Caller Handling(RoutedRequest routed, IActorRef sender, string work, ActorSystem system)
    {
        if (!ActorsTracing.On)
        {
            return Of(routed, sender);
        }

        var span = ActorsTracing.StartDetached(work, ActivityKind.Internal, routed.TraceParent);
        span?.SetTag("actors.request_id", routed.Request.RequestId);
        span?.SetTag("actors.request_type", routed.Request.GetType().Name);
        span?.SetTag("actors.member", Akka.Cluster.Cluster.Get(system).SelfAddress.ToString());
        return new Caller(sender, routed.Token, span);
    }

    public void Answer(IReply reply)
    {
        ActorsTracing.Stop(Span, reply);
        Gateway.Tell(new RoutedReply(Token, reply));
    }
}
