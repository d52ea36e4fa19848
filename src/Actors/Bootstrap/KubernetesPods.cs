using System.Net;
using System.Text.Json;
using Akka.Discovery;

namespace Actors.Bootstrap;

/// <summary>
/// Reads a Kubernetes pod list (<c>GET /api/v1/namespaces/NS/pods?labelSelector=...</c>): the
/// running pods that are not being deleted, each at its pod IP and the container port named
/// <c>portName</c>. Pure: the answer's text in, targets out; anything unexpected in it is skipped.
/// </summary>
public static class KubernetesPods
{
    public static IReadOnlyList<ServiceDiscovery.ResolvedTarget> Targets(string podList, string portName)
    {
        using var document = JsonDocument.Parse(podList);
        var targets = new List<ServiceDiscovery.ResolvedTarget>();
        foreach (var pod in Items(Child(document.RootElement, "items")))
        {
            if (Text(pod, "status", "phase") != "Running" || Has(pod, "metadata", "deletionTimestamp") ||
                Text(pod, "status", "podIP") is not { } ip || !IPAddress.TryParse(ip, out var address) ||
                Port(pod, portName) is not { } port)
            {
                continue;
            }

            targets.Add(new ServiceDiscovery.ResolvedTarget(ip, port, address));
        }

        return targets;
    }

    private static int? Port(JsonElement pod, string portName)
    {
        foreach (var container in Items(Child(Child(pod, "spec"), "containers")))
        {
            foreach (var port in Items(Child(container, "ports")))
            {
                if (Text(port, "name") == portName && Child(port, "containerPort") is { ValueKind: JsonValueKind.Number } number &&
                    number.TryGetInt32(out var value) && value is > 0 and <= 65535)
                {
                    return value;
                }
            }
        }

        return null;
    }

    private static JsonElement? Child(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var child) ? child : null;

    private static IEnumerable<JsonElement> Items(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    private static string? Text(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }

    private static bool Has(JsonElement element, string parent, string name) =>
        Child(Child(element, parent), name) is { ValueKind: not JsonValueKind.Null };
}
