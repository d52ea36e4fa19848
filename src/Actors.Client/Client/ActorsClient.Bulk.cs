using Actors.Protocol;

namespace Actors.Client;

/// <summary>Many requests at once, with a bounded window (like Python's <c>Pool.map</c> and <c>imap_unordered</c>).</summary>
public sealed partial class ActorsClient
{
    /// <summary>
    /// Sends every request, at most <paramref name="window"/> outstanding at once, and returns the
    /// replies in input order (like <c>Pool.map</c>). Each reply is a result or an ErrorReply.
    /// </summary>
    public async Task<IReadOnlyList<IReply>> MapAsync(IEnumerable<IRequest> requests, int window = 1000, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentNullException.ThrowIfNull(requests);
        // `window` senders each take the next request as soon as their last is answered: no
        // semaphore wake-up and no task per request between one reply and the next send.
        var replies = requests is ICollection<IRequest> known ? new List<IReply>(known.Count) : new List<IReply>();
        var gate = new Lock();
        using var source = requests.GetEnumerator();
        var senders = new Task[requests is ICollection<IRequest> sized ? Math.Clamp(sized.Count, 1, window) : window];
        for (var i = 0; i < senders.Length; i++)
        {
            senders[i] = Sender();
        }

        await Task.WhenAll(senders).ConfigureAwait(false);
        return replies;

        async Task Sender()
        {
            while (true)
            {
                int at;
                IRequest request;
                lock (gate)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!source.MoveNext())
                    {
                        return;
                    }

                    request = source.Current;
                    at = replies.Count;
                    replies.Add(null!);
                }

                var reply = await SendAsync(request, timeout, cancellationToken).ConfigureAwait(false);
                lock (gate)
                {
                    replies[at] = reply;
                }
            }
        }
    }

    /// <summary>
    /// Sends every request, at most <paramref name="window"/> outstanding or unread at once, and
    /// yields each reply as it arrives (like <c>imap_unordered</c> / <c>as_completed</c>). A slot
    /// frees when its reply is read, so a slow reader slows the sending, never the memory.
    /// </summary>
    public async IAsyncEnumerable<IReply> AsCompletedAsync(IEnumerable<IRequest> requests, int window = 1000, TimeSpan? timeout = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        using var slots = new SemaphoreSlim(window);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var done = System.Threading.Channels.Channel.CreateUnbounded<IReply>();
        var producer = Task.Run(async () =>
        {
            var running = new List<Task>();
            try
            {
                foreach (var request in requests)
                {
                    await slots.WaitAsync(stop.Token).ConfigureAwait(false);
                    running.Add(SendAsync(request, timeout, stop.Token).ContinueWith(t => done.Writer.TryWrite(t.IsCompletedSuccessfully
                        ? t.Result
                        : new ErrorReply(request.RequestId, ErrorCode.Timeout, "the call was cancelled")), TaskScheduler.Default));
                }

                await Task.WhenAll(running).ConfigureAwait(false);
                done.Writer.TryComplete();
            }
            catch (Exception e)
            {
                done.Writer.TryComplete(e);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var reply in done.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                slots.Release();
                yield return reply;
            }
        }
        finally
        {
            // A reader that stops early stops the sending too.
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }
}
