using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Configuration;
using Akka.Discovery;

namespace Actors.Bootstrap;

/// <summary>
/// An Akka.Discovery method (<c>actors-kubernetes</c>) that finds the pods labelled for a service
/// through the Kubernetes API, with the pod's service-account token, trusting only the cluster's
/// CA (<c>actors.bootstrap.kubernetes</c>). Each lookup is one pod list; the token is read again
/// each time, as Kubernetes rotates it.
/// </summary>
public sealed class KubernetesPodsDiscovery : ServiceDiscovery, IDisposable
{
    // A pod list for one label is small; a larger answer is not read.
    private const int MaxAnswer = 4 * 1024 * 1024;

    private readonly Config _settings;
    private readonly HttpClient _http;

    public KubernetesPodsDiscovery(ExtendedActorSystem system)
    {
        _settings = system.Settings.Config.GetConfig("actors.bootstrap.kubernetes");
        var handler = new HttpClientHandler { AllowAutoRedirect = false };
        var caPath = _settings.GetString("ca-path");
        if (File.Exists(caPath))
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(caPath);
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            };
        }

        _http = new HttpClient(handler) { MaxResponseContentBufferSize = MaxAnswer };
    }

    public override async Task<Resolved> Lookup(Lookup lookup, TimeSpan resolveTimeout)
    {
        var selector = string.Format(System.Globalization.CultureInfo.InvariantCulture, _settings.GetString("pod-label-selector"), lookup.ServiceName);
        var url = $"{ApiUrl()}/api/v1/namespaces/{Uri.EscapeDataString(Namespace())}/pods?labelSelector={Uri.EscapeDataString(selector)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (File.Exists(_settings.GetString("token-path")))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(_settings.GetString("token-path"))).Trim());
        }

        using var within = new CancellationTokenSource(resolveTimeout);
        using var response = await _http.SendAsync(request, within.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the Kubernetes API answered {(int)response.StatusCode} to the pod list for '{selector}' " +
                                                "(may the pod's service account list pods? see deploy/kubernetes.yaml)");
        }

        var targets = KubernetesPods.Targets(await response.Content.ReadAsStringAsync(within.Token), _settings.GetString("port-name"));
        return new Resolved(lookup.ServiceName, targets);
    }

    private string ApiUrl() => _settings.GetString("api-url") is { Length: > 0 } url
        ? url.TrimEnd('/')
        : $"https://{Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")}:{Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT")}";

    private string Namespace() => _settings.GetString("namespace") is { Length: > 0 } name ? name
        : File.Exists(_settings.GetString("namespace-path")) ? File.ReadAllText(_settings.GetString("namespace-path")).Trim()
        : "default";

    public void Dispose() => _http.Dispose();
}
