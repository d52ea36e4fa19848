namespace Actors.Protocol;

/// <summary>
/// Marker for every message that crosses the wire between a client and a node. It binds
/// Hyperion (with an allow-list of our own types) and nothing else.
/// </summary>
public interface IActorsMessage;

/// <summary>A request. Every request carries a caller-chosen id and gets exactly one <see cref="IReply"/>.</summary>
public interface IRequest : IActorsMessage
{
    string RequestId { get; }
}

/// <summary>
/// A request that may be sent again after an <see cref="ErrorCode.Unavailable"/> without
/// changing the outcome: reads, pure computations, and keyed writes (an entity journals each
/// write's request id and recognises a retry within remember-requests-for), so a retry is applied once.
/// The client retries such requests; other writes only on <see cref="ErrorCode.Overloaded"/>,
/// which means the node never took them on.
/// </summary>
public interface IIdempotentRequest : IRequest;

/// <summary>A request for one keyed entity; the key picks the entity (and with it the shard and node).</summary>
public interface IKeyedRequest : IRequest
{
    string Key { get; }
}

/// <summary>The one answer to a request: a result record, or an <see cref="ErrorReply"/>.</summary>
public interface IReply : IActorsMessage
{
    string RequestId { get; }
}

/// <summary>Why a request failed. Clients switch on this, never on the message text.</summary>
public enum ErrorCode
{
    /// <summary>The request broke a rule (empty key, out-of-range argument, ...). Do not retry.</summary>
    InvalidRequest = 1,

    /// <summary>No handler or entity type is registered for the request's type. Do not retry.</summary>
    UnknownRequest = 2,

    /// <summary>The handler threw; the message says what it threw. The worker was replaced.</summary>
    HandlerFailed = 3,

    /// <summary>The node refused the request to protect itself; retry after <see cref="ErrorReply.RetryAfter"/>.</summary>
    Overloaded = 4,

    /// <summary>No answer arrived in time (decided by the client). The request may or may not have run.</summary>
    Timeout = 5,

    /// <summary>A dependency (journal, shard) is not available right now; safe to retry later.</summary>
    Unavailable = 6,
}

/// <summary>
/// The answer to a retried write whose request id the entity had already applied: the effect
/// happened once and stands. Entity types may answer with their usual result instead.
/// </summary>
public sealed record AlreadyApplied(string RequestId) : IReply;

/// <summary>The typed error answer to a request.</summary>
public sealed record ErrorReply(string RequestId, ErrorCode Code, string Message, TimeSpan? RetryAfter = null) : IReply
{
    public override string ToString() => $"{Code}: {Message}";
}
