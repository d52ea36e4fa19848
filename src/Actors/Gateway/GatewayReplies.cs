using Actors.Protocol;
using Actors.Telemetry;
using Akka.Actor;

namespace Actors.Gateway;

/// <summary>
/// How the gateway answers: to an asker, or into its batch (sent when complete; a batch answered
/// as completed also sends what it has every partial-reply-after, so one slow item does not hold
/// up the others), each answer counted by request type and outcome.
/// </summary>
internal sealed class GatewayReplies
{
    private static readonly string[] OutcomeNames =
        Enum.GetValues<ErrorCode>().Select(c => c.ToString()).Prepend("ok").ToArray();

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

    /// <summary>Counts a request answered after it was admitted, with its latency.</summary>
    public static void Completed(InFlight entry, IReply reply, long elapsedMs)
    {
        var typeTag = new KeyValuePair<string, object?>("type", entry.Type.Name);
        ActorsMetrics.Requests.Add(1, typeTag, new KeyValuePair<string, object?>("outcome", Outcome(reply)));
        ActorsMetrics.RequestDuration.Record(elapsedMs / 1000.0, typeTag);
    }

    /// <summary>Counts a request answered without being admitted, or answered with an error by the gateway itself.</summary>
    public static void Refused(Type type, ErrorCode code) =>
        ActorsMetrics.Requests.Add(1, new KeyValuePair<string, object?>("type", type.Name),
            new KeyValuePair<string, object?>("outcome", OutcomeNames[(int)code]));

    private static string Outcome(IReply reply) => reply is ErrorReply e && (int)e.Code < OutcomeNames.Length
        ? OutcomeNames[(int)e.Code]
        : "ok";
}
