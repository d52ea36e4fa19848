using Actors.Protocol;

namespace Actors.Gateway;

/// <summary>The node-wide rules every request and batch must meet before it is admitted.</summary>
internal static class RequestRules
{
    /// <summary>Null when the request may be admitted; otherwise the refusal to answer it with.</summary>
    public static ErrorReply? Check(IRequest request, NodeLimits limits)
    {
        // Fields of a record can still arrive null over the wire: check, never assume.
        var id = request.RequestId;
        if (string.IsNullOrEmpty(id) || id.Length > limits.MaxRequestIdLength)
        {
            return new ErrorReply(id ?? "", ErrorCode.InvalidRequest,
                $"request id must be 1 to {limits.MaxRequestIdLength} characters");
        }

        if (request is IFailureInjecting { FailRate: not 0.0 } && !limits.FailureInjection)
        {
            return new ErrorReply(id, ErrorCode.InvalidRequest,
                "FailRate is honoured only on nodes started for tests or benchmarks (actors.limits.failure-injection, node --bench-baselines)");
        }

        if (request is IKeyedRequest keyed)
        {
            var key = keyed.Key;
            if (string.IsNullOrEmpty(key))
            {
                return new ErrorReply(id, ErrorCode.InvalidRequest, "key must not be empty");
            }

            if (key.Length > limits.MaxKeyLength)
            {
                return new ErrorReply(id, ErrorCode.InvalidRequest,
                    $"key is {key.Length} characters; the limit is {limits.MaxKeyLength}");
            }
        }

        return null;
    }

    /// <summary>Null when the batch's shape may be admitted (its items are checked one by one).</summary>
    public static ErrorReply? Check(RequestBatch batch, NodeLimits limits) =>
        string.IsNullOrEmpty(batch.RequestId) || batch.Items is not { Length: > 0 } items || items.Length > limits.MaxBatchSize
            ? new ErrorReply(batch.RequestId ?? "", ErrorCode.InvalidRequest,
                $"a batch needs an id and 1 to {limits.MaxBatchSize} items (got {batch.Items?.Length ?? 0})")
            : null;
}
