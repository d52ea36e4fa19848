using Actors.Hosting;
using Actors.Protocol;
using Actors.Serialization;
using Akka.Actor;

namespace Actors.Client;

/// <summary>
/// What the client refuses before sending, so a request that the transport would drop (the call
/// ending in Timeout) is answered InvalidRequest at once, saying why: a type the client was not
/// told about, or a request larger than a frame. Nothing to check for a gateway in this process.
/// </summary>
internal sealed class WireCheck
{
    private readonly ActorSystem _system;

    // The message types the transport carries, and the largest request it takes (0: no limit).
    private readonly AllowList? _wireTypes;
    private readonly long _maxRequestBytes;

    public WireCheck(ActorSystem system, bool overTransport)
    {
        _system = system;
        _maxRequestBytes = overTransport ? MaxRequestBytes(system) : 0;
        _wireTypes = overTransport ? AllowList.From(system.Settings.Config.WithFallback(ActorsConfig.Client)) : null;
    }

    public ErrorReply? Refusal(IRequest request) => NotOnTheWire(request) ?? TooLarge(request);

    /// <summary>
    /// A request of a type the client was not told about would fail in the transport (and the
    /// call end in Timeout): refused here at once, naming the fix.
    /// </summary>
    private ErrorReply? NotOnTheWire(IRequest request) =>
        _wireTypes is null || _wireTypes.IsAllowed(request.GetType())
            ? null
            : new ErrorReply(request.RequestId ?? "", ErrorCode.InvalidRequest,
                $"{request.GetType().FullName} is not a registered message type of this client: pass its assembly to " +
                "ActorsClient.Connect(contacts, contracts: [typeof(YourRequest).Assembly]) (or ActorsClient.Config(...) for your own actor system)");

    /// <summary>
    /// The transport drops a frame over <c>maximum-frame-size</c> (and a node that receives one
    /// closes the connection): refuse such a request here, with an error, before it is sent.
    /// </summary>
    private ErrorReply? TooLarge(IRequest request)
    {
        if (_maxRequestBytes <= 0)
        {
            return null;
        }

        long size;
        try
        {
            size = _system.Serialization.FindSerializerFor(request).ToBinary(request).LongLength;
        }
        catch (Exception e)
        {
            // What it carries cannot travel (a type inside it the wire does not take): refused here, not thrown.
            return new ErrorReply(request.RequestId ?? "", ErrorCode.InvalidRequest,
                $"{request.GetType().Name} cannot be sent: {e.GetBaseException().Message}");
        }

        return size <= _maxRequestBytes
            ? null
            : new ErrorReply(request.RequestId, ErrorCode.InvalidRequest,
                $"request is {size} bytes serialized; the limit is {_maxRequestBytes} (akka.remote.dot-netty.tcp.maximum-frame-size less envelope room)");
    }

    private static long MaxRequestBytes(ActorSystem system)
    {
        var config = system.Settings.Config;
        if (!config.WithFallback(ActorsConfig.Client).RequireBoolean("actors.client.check-request-size") ||
            !config.HasPath("akka.remote.dot-netty.tcp.maximum-frame-size"))
        {
            return 0;
        }

        // Room for the remote envelope around the request.
        var frame = config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size") ?? 0;
        return frame > 0 ? Math.Max(1024, frame - 16 * 1024) : 0;
    }
}
