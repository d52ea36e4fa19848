using Actors.Security;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Dispatch;
using Akka.Event;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;

namespace Actors.Host;

/// <summary>The throttle a node's <see cref="QuietLogger"/> asks, handed over as an actor system setup.</summary>
internal sealed class RefusalLogSetup(RefusalLogThrottle throttle) : Setup
{
    public RefusalLogThrottle Throttle { get; } = throttle;
}

/// <summary>
/// The node's Akka logger: every log event to Microsoft.Extensions.Logging (the console), as
/// Akka.Hosting's logger does, except the lines about refused network input beyond one per kind
/// per interval (<see cref="RefusalLogThrottle"/>), which Akka.Remote would write one per frame.
/// </summary>
internal sealed class QuietLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public QuietLogger()
    {
        var setup = Context.System.Settings.Setup;
        var logger = setup.Get<LoggerFactorySetup>().Value.LoggerFactory.CreateLogger("Akka.Actor.ActorSystem");
        var throttle = setup.Get<RefusalLogSetup>().Value.Throttle;
        // Only the clients' endpoint system runs untrusted: there, a dropped association is a client that left.
        var clientEndpoint = Context.System.Settings.Config.GetBoolean("akka.remote.untrusted-mode");
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            if (throttle.ShouldKeepMessage(e) != LogFilterDecision.Drop)
            {
                var level = clientEndpoint && ClientLeft(e) ? Microsoft.Extensions.Logging.LogLevel.Debug : Map(e.LogLevel());
                // The console adds the time and level; Akka's own rendering would repeat both (and the thread).
                logger.Log(level, (e as Error)?.Cause, "[{LogSource}] {Message}", e.LogSource, e.Message);
            }
        });
    }

    /// <summary>What Akka.Remote logs when the other side of an association goes away: for a client, its normal exit.</summary>
    private static bool ClientLeft(LogEvent e) => e switch
    {
        // The exception type is internal to Akka.Remote.
        Error { Cause: { } cause } => cause.GetType().FullName == "Akka.Remote.EndpointDisassociatedException",
        Warning => e.Message?.ToString()?.StartsWith("Association with remote system", StringComparison.Ordinal) == true &&
                   e.Message.ToString()!.Contains("Disassociated", StringComparison.Ordinal),
        _ => false,
    };

    private static Microsoft.Extensions.Logging.LogLevel Map(Akka.Event.LogLevel level) => level switch
    {
        Akka.Event.LogLevel.DebugLevel => Microsoft.Extensions.Logging.LogLevel.Debug,
        Akka.Event.LogLevel.InfoLevel => Microsoft.Extensions.Logging.LogLevel.Information,
        Akka.Event.LogLevel.WarningLevel => Microsoft.Extensions.Logging.LogLevel.Warning,
        _ => Microsoft.Extensions.Logging.LogLevel.Error,
    };
}
