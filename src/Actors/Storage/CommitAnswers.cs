using System.Collections.Concurrent;
using Akka.Event;

namespace Actors.Storage;

/// <summary>
/// Tells writes that their transaction ended, one at a time and in the order the writer finished
/// them, on a pool thread rather than the writer's (which goes straight to its next transaction).
/// One queue and at most one pool work item at a time: a persistent actor's answers for one write
/// all go out before any later write's, as Akka.Persistence's resequencer guarantees, without a
/// resequencer actor and two messages per answer.
/// </summary>
internal sealed class CommitAnswers(ILoggingAdapter log) : IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<(ICommitted Write, Exception? Failure)> _queue = new();
    private int _scheduled;

    public void Post(ICommitted write, Exception? failure)
    {
        _queue.Enqueue((write, failure));
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    public void Execute()
    {
        while (true)
        {
            while (_queue.TryDequeue(out var answer))
            {
                try
                {
                    answer.Write.Committed(answer.Failure);
                }
                catch (Exception e)
                {
                    // A pool work item that throws ends the process; one answer's fault stays its own.
                    log.Error(e, "Answering a journal write failed");
                }
            }

            Volatile.Write(ref _scheduled, 0);
            // A post between the last dequeue and the reset found the flag set and left it to this run.
            if (_queue.IsEmpty || Interlocked.Exchange(ref _scheduled, 1) == 1)
            {
                return;
            }
        }
    }
}
