using Actors.Gateway;
using Actors.Protocol;
using Actors.Telemetry;
using Akka.Actor;

namespace Actors.Entities;

/// <summary>
/// Stands in for an entity whose recovery keeps failing, for the rest of its back-off: every
/// request is answered Unavailable with the time left as the retry-after, the journal is not
/// touched, and at the end it passivates so the next request recovers the real entity.
/// </summary>
internal sealed class BackingOffEntity : ReceiveActor, IWithTimers
{
    private readonly EntityLifecycle _lifecycle;
    private readonly TimeSpan _wait;

    public BackingOffEntity(string entityType, string key, TimeSpan wait, int failures, LiveEntities live, NodeTelemetry telemetry)
    {
        var lifecycle = _lifecycle = new EntityLifecycle(entityType, live, telemetry);
        _wait = wait;
        var until = DateTime.UtcNow + wait;
        var id = $"{entityType}:{key}";
        Receive<RoutedRequest>(routed =>
        {
            var left = until - DateTime.UtcNow;
            Caller.Of(routed, Sender).Answer(new ErrorReply(routed.Request.RequestId, ErrorCode.Unavailable,
                $"{id} could not be recovered ({failures} attempts in a row failed); it is tried again after a back-off",
                left > TimeSpan.FromMilliseconds(10) ? left : TimeSpan.FromMilliseconds(10)));
        });
        Receive<BackoffOver>(_ => lifecycle.Passivate(Context, "recovery-backoff"));
        Receive<PassivateIdle>(_ => { });
        Receive<PassivateOverCap>(_ => lifecycle.Passivate(Context, "cap"));
        Receive<StopEntity>(_ => lifecycle.Stop(Context));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string entityType, string key, TimeSpan wait, int failures, LiveEntities live, NodeTelemetry telemetry) =>
        Akka.Actor.Props.Create(() => new BackingOffEntity(entityType, key, wait, failures, live, telemetry));

    protected override void PreStart()
    {
        _lifecycle.Started(Context);
        Timers.StartSingleTimer(nameof(BackoffOver), BackoffOver.Instance, _wait);
    }

    protected override void PostStop() => _lifecycle.Stopped();

    private sealed record BackoffOver
    {
        public static readonly BackoffOver Instance = new();
    }
}
