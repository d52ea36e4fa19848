using System.Net.Http.Json;
using System.Text.Json;
using Actors.Security;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Discovery;

namespace Actors.Bootstrap;

/// <summary>
/// Finds this member's cluster by discovery until it has joined one or formed it: every interval
/// it asks Akka.Discovery where the bootstrap ports are, asks each what it knows
/// (<see cref="ContactPoint"/>), and does what <see cref="JoinDecider"/> says. Each reason it waits
/// is logged once, not every interval.
/// </summary>
internal sealed class ClusterBootstrapper(ActorSystem system, BootstrapSettings settings, TlsSettings? tls)
{
    /// <summary>The route every member serves on its bootstrap port.</summary>
    public const string Route = "/bootstrap/seed-nodes";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // A peer's answer is a few hundred bytes; a larger one is not believed.
    private const int MaxAnswer = 64 * 1024;

    public async Task RunAsync(CancellationToken stop)
    {
        var cluster = Cluster.Get(system);
        var discovery = Discovery.Get(system).LoadServiceDiscovery(settings.DiscoveryMethod);
        var decider = new JoinDecider(settings.RequiredContactPoints, settings.StableMargin);
        using var http = Client();
        string? lastWhy = null;
        string? lastFailure = null;
        system.Log.Info("Bootstrap: looking for the cluster through {0} discovery of '{1}' (no seeds)", settings.DiscoveryMethod, settings.ServiceName);
        while (!stop.IsCancellationRequested)
        {
            var (answered, failure) = await ProbeAllAsync(discovery, http, stop);
            if (failure is not null && failure != lastFailure)
            {
                // Once per distinct failure, not every interval.
                system.Log.Warning("Bootstrap: discovery of '{0}' failed: {1}", settings.ServiceName, failure);
            }

            lastFailure = failure;
            switch (decider.Decide(cluster.SelfAddress, answered, Environment.TickCount64))
            {
                case BootstrapDecision.Join join:
                    system.Log.Info("Bootstrap: joining the cluster of {0}", string.Join(", ", join.Seeds.Select(s => s.ToString())));
                    cluster.JoinSeedNodes(join.Seeds);
                    return;
                case BootstrapDecision.Form:
                    system.Log.Info("Bootstrap: no cluster found among {0} members and this is the lowest address: forming it", answered.Count);
                    cluster.Join(cluster.SelfAddress);
                    return;
                case BootstrapDecision.Wait wait when wait.Why != lastWhy:
                    lastWhy = wait.Why;
                    system.Log.Info("Bootstrap: {0}", wait.Why);
                    break;
            }

            await Task.Delay(settings.Interval, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task<(List<ContactPoint> Answered, string? Failure)> ProbeAllAsync(ServiceDiscovery discovery, HttpClient http,
        CancellationToken stop)
    {
        ServiceDiscovery.Resolved resolved;
        try
        {
            resolved = await discovery.Lookup(new Lookup(settings.ServiceName), settings.ProbeTimeout);
        }
        catch (Exception e)
        {
            return ([], e.GetBaseException().Message);
        }

        var probes = resolved.Addresses.Where(t => t.Port is not null)
            .Select(t => $"{(tls is null ? "http" : "https")}://{t.Host}:{t.Port}{Route}")
            .Distinct()
            .Select(url => ProbeAsync(http, url, stop));
        return ([.. (await Task.WhenAll(probes)).OfType<ContactPoint>()], null);
    }

    private async Task<ContactPoint?> ProbeAsync(HttpClient http, string url, CancellationToken stop)
    {
        try
        {
            using var within = CancellationTokenSource.CreateLinkedTokenSource(stop);
            within.CancelAfter(settings.ProbeTimeout);
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, within.Token);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength is > MaxAnswer)
            {
                return null;
            }

            var answer = await response.Content.ReadFromJsonAsync<ContactPoint>(Json, within.Token);
            return answer is { SelfNode.Length: > 0, SeedNodes: not null } ? answer : null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException or NotSupportedException)
        {
            // Not up yet, or not a bootstrap port: it is simply not among those that answer.
            return null;
        }
    }

    /// <summary>With TLS, a peer's bootstrap port is believed only with a certificate from this cluster's CA.</summary>
    private HttpClient Client()
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, MaxResponseHeadersLength = 16 };
        if (tls is not null)
        {
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && tls.IsIssuedByAuthority(certificate);
        }

        return new HttpClient(handler) { MaxResponseContentBufferSize = MaxAnswer };
    }
}
