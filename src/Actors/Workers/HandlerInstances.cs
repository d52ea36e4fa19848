using Actors.Handlers;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;

namespace Actors.Workers;

/// <summary>
/// A worker's own instance of each of its lane's handlers, by request type: made together (each
/// with its <c>actors.handlers.&lt;name&gt;</c> settings) and disposed together, so a handler may
/// hold a resource and a failed worker starts over with fresh ones.
/// </summary>
internal sealed class HandlerInstances(IReadOnlyList<HandlerRegistration> registrations, ActorSystem system, IServiceProvider? services,
    ILoggingAdapter log)
{
    private readonly Dictionary<Type, (HandlerRegistration Registration, object Instance)> _byType = new();

    public bool TryGet(Type requestType, out (HandlerRegistration Registration, object Instance) handler) =>
        _byType.TryGetValue(requestType, out handler);

    /// <summary>Makes every instance; on an exception, disposes those made and rethrows.</summary>
    public void Create()
    {
        try
        {
            foreach (var registration in registrations)
            {
                var settings = system.Settings.Config.GetConfig($"actors.handlers.{registration.Name}") ?? Config.Empty;
                _byType[registration.RequestType] = (registration, registration.Factory(new HandlerContext(system, settings, services)));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Disposes every instance (a failing Dispose is logged, the others still run).</summary>
    public void Dispose()
    {
        foreach (var (_, instance) in _byType.Values)
        {
            try
            {
                switch (instance)
                {
                    case IAsyncDisposable asyncDisposable:
                        asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                        break;
                    case IDisposable disposable:
                        disposable.Dispose();
                        break;
                }
            }
            catch (Exception e)
            {
                log.Warning(e, "Disposing handler {0} failed", instance.GetType().Name);
            }
        }

        _byType.Clear();
    }
}
