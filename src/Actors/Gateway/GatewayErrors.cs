using Actors.Protocol;

namespace Actors.Gateway;

/// <summary>The errors the gateway answers itself for a request it admitted, each saying what became of the request.</summary>
internal static class GatewayErrors
{
    // The request's node is unreachable, leaving or recovering: a retry within milliseconds would meet the same.
    private static readonly TimeSpan UndeliveredRetryAfter = TimeSpan.FromSeconds(1);

    public static ErrorReply Timeout(InFlight entry) =>
        new(entry.Id, ErrorCode.Timeout, $"{entry.Route.Name} did not answer within {entry.Within.TotalSeconds:0.#} s");

    public static ErrorReply Undelivered(InFlight entry, string reason)
    {
        var retryAfter = entry.Route.Limit.RetryAfter;
        return new ErrorReply(entry.Id, ErrorCode.Unavailable,
            $"{entry.Route.Name} could not be reached ({reason}); it was not processed there, retry later",
            UndeliveredRetryAfter > retryAfter ? UndeliveredRetryAfter : retryAfter);
    }

    public static ErrorReply Stopped(InFlight entry) =>
        new(entry.Id, ErrorCode.Unavailable,
            $"the node stopped before {entry.Route.Name} answered; the request may or may not have been applied");

    public static ErrorReply StoppedWaiting(Queued queued) =>
        new(queued.Request.RequestId ?? "", ErrorCode.Unavailable, $"the node stopped while the request waited for a slot of {queued.Route.Name}; not run");

    public static ErrorReply NotARequest(IRequest? item) =>
        new(item?.RequestId ?? "", ErrorCode.InvalidRequest, "a batch item must be a request, not a batch");
}
