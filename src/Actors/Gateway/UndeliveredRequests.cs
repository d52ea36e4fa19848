using Actors.Telemetry;
using Akka.Actor;
using Akka.Event;

namespace Actors.Gateway;

/// <summary>
/// Watches the node's dead letters for requests a gateway (of any node) routed that never reached
/// their lane or entity, and tells that gateway, which answers them Unavailable at once rather
/// than Timeout at their deadline. Also counts every undeliverable message for the meter.
/// </summary>
internal sealed class UndeliveredRequests : ReceiveActor
{
    public const string Name = "undelivered";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _gateway;

    public UndeliveredRequests(IActorRef gateway)
    {
        _gateway = gateway;
        Receive<AllDeadLetters>(Undeliverable);
    }

    public static Props Props(IActorRef gateway) => Akka.Actor.Props.Create(() => new UndeliveredRequests(gateway));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(AllDeadLetters));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Undeliverable(AllDeadLetters dead)
    {
        ActorsMetrics.Undeliverable.Add(1, new KeyValuePair<string, object?>("kind", dead switch
        {
            Dropped => "dropped",
            SuppressedDeadLetter => "suppressed",
            _ => "dead_letter",
        }));

        if (dead.Message is RoutedRequest { Request.RequestId: { } id } routed)
        {
            // Debug: during a fail-over there is one per request; Akka logs dead letters itself (log-dead-letters) and the meter counts them.
            _log.Debug("Request {0} ({1}) to {2} was not delivered; its gateway answers it Unavailable",
                id, routed.Request.GetType().Name, dead.Recipient.Path);
            var notice = new RequestUndelivered(routed.Token, id, $"not delivered to {dead.Recipient.Path.Name}");
            if (IsGateway(dead.Sender))
            {
                dead.Sender.Tell(notice);
            }
            else if (GatewayOf(routed) is { } gateway)
            {
                // A shard region that drops what it buffered during a hand-off names itself as the
                // sender: the request says which gateway routed it (which believes only its token).
                Context.ActorSelection(gateway).Tell(notice);
            }
            else
            {
                _gateway.Tell(notice);
            }
        }
    }

    /// <summary>The routing gateway's path, if the request names one that is a gateway's (any node's <c>/user/gateway</c>).</summary>
    private static ActorPath? GatewayOf(RoutedRequest routed) =>
        routed.Gateway is { } text && ActorPath.TryParse(text, out var path) && path.Name == GatewayActor.Name && path.Parent.Name == "user" &&
        path.Parent.Parent is RootActorPath
            ? path
            : null;

    private static bool IsGateway(IActorRef? actor) =>
        actor is not null && !actor.IsNobody() && actor.Path.Name == GatewayActor.Name && actor.Path.Parent.Name == "user";
}
