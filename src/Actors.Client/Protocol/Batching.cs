namespace Actors.Protocol;

/// <summary>
/// Several small requests in one message, to cut per-message transport cost. The node admits,
/// routes and answers every item on its own and sends the item replies back together, in item
/// order, as one <see cref="BatchReply"/>. With <paramref name="AnswerAsCompleted"/> it instead
/// sends the items answered so far every <c>actors.limits.batch-partial-reply-after</c> (several
/// BatchReplies, items in no set order, each naming its request id), so one slow item (a key
/// whose shard is moving) does not hold up the others. The client builds such batches itself
/// when <c>actors.client.batch.max-size</c> is above 1.
/// </summary>
public sealed record RequestBatch(string RequestId, IRequest[] Items, bool AnswerAsCompleted = false) : IRequest;

/// <summary>The replies to a <see cref="RequestBatch"/>'s items: all, in item order, or some (see <see cref="RequestBatch.AnswerAsCompleted"/>).</summary>
public sealed record BatchReply(string RequestId, IReply[] Items) : IReply;
