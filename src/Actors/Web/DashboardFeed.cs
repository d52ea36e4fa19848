using System.Text.Json;
using System.Threading.Channels;
using Actors.Telemetry;
using Akka.Actor;
using Akka.Event;

namespace Actors.Web;

/// <summary>
/// The dashboard's figures: while at least one page is open, the whole cluster's status (one
/// poll of every member through the status actor) every <see cref="WebSettings.RefreshInterval"/>,
/// handed to each open page. One poll per interval however many pages are open or how often
/// <c>/status.json</c> is read; none while nobody looks. A page that reads slowly misses frames
/// rather than queueing them.
/// </summary>
public sealed class DashboardFeed(IActorRef status, WebSettings settings, ILoggingAdapter log)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly HashSet<Channel<string>> _viewers = [];
    private bool _streaming;
    private Task<string?>? _poll;
    private long _polledAt;

    /// <summary>The cluster's figures as JSON, at most one refresh interval old (null when the status actor does not answer).</summary>
    public Task<string?> CurrentAsync()
    {
        lock (_gate)
        {
            var now = Environment.TickCount64;
            if (_poll is null || (_poll.IsCompleted && now - _polledAt >= settings.RefreshInterval.TotalMilliseconds))
            {
                _polledAt = now;
                _poll = PollAsync();
            }

            return _poll;
        }
    }

    /// <summary>Joins the feed, or returns null when <see cref="WebSettings.MaxViewers"/> pages are open.</summary>
    public Viewer? Join()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(2) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            if (_viewers.Count >= settings.MaxViewers)
            {
                return null;
            }

            _viewers.Add(channel);
            if (!_streaming)
            {
                _streaming = true;
                _ = Task.Run(StreamAsync);
            }
        }

        return new Viewer(channel.Reader, () =>
        {
            lock (_gate)
            {
                _viewers.Remove(channel);
            }
        });
    }

    private async Task StreamAsync()
    {
        string? sent = null;
        while (true)
        {
            var started = Environment.TickCount64;
            var frame = await CurrentAsync();
            var repeated = frame is not null && ReferenceEquals(frame, sent);
            lock (_gate)
            {
                if (_viewers.Count == 0)
                {
                    _streaming = false;
                    return;
                }

                // The poll already sent comes back when this loop wakes a moment before it is an
                // interval old, or when /status.json started it later than this loop's last turn:
                // the pages get each poll once, and this loop looks again shortly.
                if (frame is not null && !repeated)
                {
                    foreach (var viewer in _viewers)
                    {
                        viewer.Writer.TryWrite(frame);
                    }

                    sent = frame;
                }
            }

            var left = settings.RefreshInterval.TotalMilliseconds - (Environment.TickCount64 - started);
            await Task.Delay(TimeSpan.FromMilliseconds(repeated ? 50 : Math.Max(left, 50)));
        }
    }

    private async Task<string?> PollAsync()
    {
        try
        {
            var view = await status.Ask<ClusterView>(new GetClusterView(settings.FiguresWindowSeconds), PollTimeout);
            return JsonSerializer.Serialize(new Frame(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), settings.FiguresWindowSeconds, view.Members),
                Json);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            log.Warning("The dashboard's status poll got no answer within {0}; trying again", PollTimeout);
            return null;
        }
    }

    /// <summary>One page's frames; dispose when it closes.</summary>
    public sealed class Viewer(ChannelReader<string> frames, Action leave) : IDisposable
    {
        public ChannelReader<string> Frames { get; } = frames;

        public void Dispose() => leave();
    }

    private sealed record Frame(long At, int WindowSeconds, Protocol.NodeStatus[] Members);
}
