using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Actors.Gateway;

/// <summary>
/// The gateway's mailbox (<c>akka.actor.gateway-mailbox</c> in node.conf): a <see cref="RepliesFirstQueue"/>.
/// </summary>
public sealed class GatewayMailbox(Settings settings, Config config)
    : MailboxType(settings, config), IProducesMessageQueue<RepliesFirstQueue>
{
    /// <summary>The config path the gateway's props name.</summary>
    public const string Id = "akka.actor.gateway-mailbox";

    /// <inheritdoc />
    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new RepliesFirstQueue();
}

/// <summary>
/// Two FIFO queues: replies from routes (<see cref="RoutedReply"/>) are taken before anything
/// else. A burst of new requests (thousands of callers arriving at once, or those that piled up
/// in the sockets during a garbage collection) otherwise sits between the admitted requests and
/// their answers, each admitted caller waiting for every request that arrived after it to be
/// admitted or refused (the flood spec's shape: admitted p99 168-192 ms with this queue, 183-210
/// ms without; BENCHMARKS.md). Replies cannot starve requests: there are at most as many as
/// requests admitted, and each frees the slot a waiting request needs.
/// </summary>
public sealed class RepliesFirstQueue : IMessageQueue, IUnboundedMessageQueueSemantics
{
    private readonly ConcurrentQueue<Envelope> _replies = new();
    private readonly ConcurrentQueue<Envelope> _others = new();

    /// <inheritdoc />
    public bool HasMessages => !_replies.IsEmpty || !_others.IsEmpty;

    /// <inheritdoc />
    public int Count => _replies.Count + _others.Count;

    /// <inheritdoc />
    public void Enqueue(IActorRef receiver, Envelope envelope) =>
        (envelope.Message is RoutedReply ? _replies : _others).Enqueue(envelope);

    /// <inheritdoc />
    public bool TryDequeue(out Envelope envelope) => _replies.TryDequeue(out envelope) || _others.TryDequeue(out envelope);

    /// <inheritdoc />
    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
        {
            deadletters.Enqueue(owner, envelope);
        }
    }
}
