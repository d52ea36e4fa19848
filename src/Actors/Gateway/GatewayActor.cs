using Actors.Protocol;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;

namespace Actors.Gateway;

/// <summary>Limits the gateway checks on every request before routing it.</summary>
public sealed record NodeLimits(int MaxKeyLength, int MaxRequestIdLength)
{
    public static NodeLimits From(Config config) => new(
        config.GetInt("actors.limits.max-key-length", 256),
        config.GetInt("actors.limits.max-request-id-length", 128));
}

/// <summary>
/// The front door of a node, registered with the ClusterClient receptionist. Checks the
/// node-wide rules, then forwards the request to its lane or entity type, keeping the
/// original sender so the reply goes straight back to the asker. Anything that is not a
/// request is dropped with one warning.
/// </summary>
public sealed class GatewayActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NodeLimits _limits;
    private readonly Func<Type, IActorRef?> _resolve;

    // Resolved routes by concrete request type (null: no route). Only this actor touches it.
    private readonly Dictionary<Type, IActorRef?> _routes = new();

    public GatewayActor(NodeLimits limits, Func<Type, IActorRef?> resolve)
    {
        _limits = limits;
        _resolve = resolve;
        Receive<IRequest>(Route);
        ReceiveAny(other => _log.Warning("Gateway dropped a {0} from {1}: not a request", other.GetType().FullName, Sender));
    }

    public static Props Props(NodeLimits limits, Func<Type, IActorRef?> resolve) =>
        Akka.Actor.Props.Create(() => new GatewayActor(limits, resolve));

    private void Route(IRequest request)
    {
        if (Validate(request) is { } error)
        {
            _log.Debug("Refused request {0}: {1}", request.RequestId, error.Message);
            Sender.Tell(error);
            return;
        }

        var type = request.GetType();
        if (!_routes.TryGetValue(type, out var target))
        {
            target = _resolve(type);
            _routes[type] = target;
        }

        if (target is null)
        {
            Sender.Tell(new ErrorReply(request.RequestId, ErrorCode.UnknownRequest,
                $"no handler or entity type is registered for {type.Name}"));
            return;
        }

        target.Forward(request);
    }

    private ErrorReply? Validate(IRequest request)
    {
        // Fields of a record can still arrive null over the wire: check, never assume.
        var id = request.RequestId;
        if (string.IsNullOrEmpty(id) || id.Length > _limits.MaxRequestIdLength)
        {
            return new ErrorReply(id ?? "", ErrorCode.InvalidRequest,
                $"request id must be 1 to {_limits.MaxRequestIdLength} characters");
        }

        if (request is IKeyedRequest keyed)
        {
            var key = keyed.Key;
            if (string.IsNullOrEmpty(key))
            {
                return new ErrorReply(id, ErrorCode.InvalidRequest, "key must not be empty");
            }

            if (key.Length > _limits.MaxKeyLength)
            {
                return new ErrorReply(id, ErrorCode.InvalidRequest,
                    $"key is {key.Length} characters; the limit is {_limits.MaxKeyLength}");
            }
        }

        return null;
    }
}
