using Actors.Protocol;
using Akka.Actor;

namespace Actors.Gateway;

/// <summary>
/// How the gateway answers: to an asker, or into its batch (sent when complete; a batch answered
/// as completed also sends what it has every partial-reply-after, so one slow item does not hold
/// up the others).
/// </summary>
internal sealed class GatewayReplies
{
    // Batches answered as completed that hold answered items not sent yet.
    private readonly HashSet<Batch> _partial = [];

    /// <summary>Sends or files a reply; true when the first partial batch is waiting (start the flush timer).</summary>
    public bool Answer(Waiter to, IReply reply)
    {
        if (to.Batch is null)
        {
            to.ReplyTo.Tell(reply);
            return false;
        }

        return to.Batch.Answer(to.Index, reply) && _partial.Add(to.Batch) && _partial.Count == 1;
    }

    /// <summary>Answers the request's asker and everyone who joined it with a retry; false if a flush timer is needed.</summary>
    public bool AnswerAll(InFlight entry, IReply reply)
    {
        var first = Answer(entry.Waiter, reply);
        foreach (var joined in entry.Joined ?? [])
        {
            first |= Answer(joined, reply);
        }

        return first;
    }

    public void SendPartialBatches()
    {
        foreach (var batch in _partial)
        {
            batch.SendReady();
        }

        _partial.Clear();
    }
}
