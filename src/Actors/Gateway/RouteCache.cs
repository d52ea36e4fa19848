namespace Actors.Gateway;

/// <summary>Each request type's route (a lane or an entity type), resolved once; null when nothing handles the type.</summary>
internal sealed class RouteCache(Func<Type, Route?> resolve)
{
    private readonly Dictionary<Type, Route?> _routes = new();

    public Route? Of(Type type)
    {
        if (!_routes.TryGetValue(type, out var route))
        {
            route = resolve(type);
            _routes[type] = route;
        }

        return route;
    }

    /// <summary>Requests in flight per route that requests have used so far.</summary>
    public IReadOnlyDictionary<string, int> InFlightByName() =>
        _routes.Values.OfType<Route>().Distinct().ToDictionary(r => r.Name, r => r.InFlight);
}
