using Actors.Protocol;
using Akka.Actor;

namespace Actors.Gateway;

/// <summary>
/// A batch whose items are in flight. Ordered: answered as one BatchReply, in item order, when
/// the last item is. Answered as completed: the gateway sends the items answered so far (see
/// <see cref="SendReady"/>), and the rest when the last one is.
/// </summary>
internal sealed class Batch(string id, IActorRef replyTo, int count, bool answerAsCompleted)
{
    private readonly IReply[] _replies = new IReply[answerAsCompleted ? 0 : count];
    private readonly List<IReply> _ready = [];
    private int _remaining = count;

    /// <summary>The items to admit, each with its index; an item that is not a request is answered here.</summary>
    public IEnumerable<(IRequest Item, int Index)> Admissible(IRequest[] items)
    {
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i] is null or RequestBatch)
            {
                Answer(i, GatewayErrors.NotARequest(items[i]));
                continue;
            }

            yield return (items[i], i);
        }
    }

    /// <summary>Files one item's reply; true when answered items wait to be sent and more are to come.</summary>
    public bool Answer(int index, IReply reply)
    {
        _remaining--;
        if (!answerAsCompleted)
        {
            _replies[index] = reply;
            if (_remaining == 0)
            {
                replyTo.Tell(new BatchReply(id, _replies));
            }

            return false;
        }

        _ready.Add(reply);
        if (_remaining == 0)
        {
            SendReady();
            return false;
        }

        return true;
    }

    public void SendReady()
    {
        if (_ready.Count > 0)
        {
            replyTo.Tell(new BatchReply(id, _ready.ToArray()));
            _ready.Clear();
        }
    }
}
