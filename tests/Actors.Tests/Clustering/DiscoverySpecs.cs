using Actors.Tests.Support;
using Actors.TestSupport;
using Akka.Cluster;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Clustering;

/// <summary>
/// Members that know no seeds, only where each other's bootstrap ports are (config discovery, or
/// pods through the Kubernetes API): three started at once form one cluster, exactly once, and a
/// fourth joins it.
/// </summary>
public sealed class DiscoverySpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    // Bootstrap's pace for a test: decide after 1 s of agreement instead of 5 s.
    private const string Hocon = """
        actors.bootstrap {
          required-contact-points = 3
          stable-margin = 1s
          interval = 250ms
        }
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """;

    private readonly string _journal = TempJournal.NewPath();
    private readonly int[] _management = [.. Enumerable.Range(0, 4).Select(_ => Actors.TestSupport.Ports.Free())];
    private readonly List<TestNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Three_members_found_by_config_discovery_form_one_cluster_and_a_fourth_joins_it()
    {
        var endpoints = _management.Take(3).Select(p => $"127.0.0.1:{p}").ToList();
        var three = await Task.WhenAll(_management.Take(3).Select(port => StartAsync(port, endpoints)));
        _nodes.AddRange(three);

        // One cluster of three: had two members each formed one, neither would see all three.
        await UntilAsync(() => three.All(n => UpMembers(n).SetEquals(three.Select(Address))), "the three form one cluster");
        output.WriteLine($"formed: {string.Join(", ", UpMembers(three[0]))}");

        var fourth = await StartAsync(_management[3], endpoints);
        _nodes.Add(fourth);
        await UntilAsync(() => UpMembers(three[0]).Count == 4 && UpMembers(fourth).Count == 4, "the fourth joins the same cluster");
        UpMembers(fourth).Should().BeEquivalentTo(UpMembers(three[0]));
    }

    [Fact]
    public async Task Three_members_found_as_pods_through_the_Kubernetes_API_form_one_cluster()
    {
        var token = Path.Combine(Path.GetDirectoryName(_journal)!, "token");
        Directory.CreateDirectory(Path.GetDirectoryName(token)!);
        await File.WriteAllTextAsync(token, "pod-token\n");
        using var api = new StandInPodsApi(_management.Take(3).ToArray());
        var hocon = Hocon + $$"""

            actors.bootstrap.kubernetes {
              api-url = "{{api.Url}}"
              token-path = "{{token}}"
              namespace = "shop"
            }
            """;

        var three = await Task.WhenAll(_management.Take(3).Select(port =>
            TestNode.StartAsync(_journal, hocon, port: Actors.TestSupport.Ports.Free(), options: o =>
            {
                o.Discovery = "kubernetes";
                o.ManagementPort = port;
            })));
        _nodes.AddRange(three);

        await UntilAsync(() => three.All(n => UpMembers(n).SetEquals(three.Select(Address))), "the three pods form one cluster");
        api.Asked.Should().NotBeEmpty().And.OnlyContain(a =>
            a.Path == "/api/v1/namespaces/shop/pods?labelSelector=app%3Dactors" && a.Authorization == "Bearer pod-token");
    }

    private Task<TestNode> StartAsync(int managementPort, IReadOnlyList<string> endpoints) =>
        TestNode.StartAsync(_journal, Hocon, port: Actors.TestSupport.Ports.Free(), options: o =>
        {
            o.Discovery = "config";
            o.DiscoveryEndpoints = endpoints;
            o.ManagementPort = managementPort;
        });

    /// <summary>
    /// The one Kubernetes API call discovery makes, answered from loopback: three running pods whose
    /// container port "bootstrap" is each member's bootstrap port, a pending one and one being deleted.
    /// </summary>
    private sealed class StandInPodsApi : IDisposable
    {
        private readonly System.Net.HttpListener _listener = new();
        private readonly string _pods;

        public StandInPodsApi(int[] bootstrapPorts)
        {
            var port = Actors.TestSupport.Ports.Free();
            Url = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            static object Pod(string phase, int port, bool deleting = false) => new
            {
                metadata = deleting ? (object)new { name = $"p{port}", deletionTimestamp = "2026-12-01T00:00:00Z" } : new { name = $"p{port}" },
                spec = new { containers = new[] { new { ports = new[] { new { name = "gateway", containerPort = 4053 }, new { name = "bootstrap", containerPort = port } } } } },
                status = new { phase, podIP = "127.0.0.1" },
            };
            var pods = bootstrapPorts.Select(p => Pod("Running", p)).Append(Pod("Pending", 1)).Append(Pod("Running", 2, deleting: true));
            _pods = System.Text.Json.JsonSerializer.Serialize(new { kind = "PodList", items = pods });
            _ = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public System.Collections.Concurrent.ConcurrentQueue<(string Path, string? Authorization)> Asked { get; } = new();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                try
                {
                    var context = await _listener.GetContextAsync();
                    Asked.Enqueue((context.Request.Url!.PathAndQuery, context.Request.Headers["Authorization"]));
                    var body = System.Text.Encoding.UTF8.GetBytes(_pods);
                    context.Response.ContentType = "application/json";
                    await context.Response.OutputStream.WriteAsync(body);
                    context.Response.Close();
                }
                catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
            }
        }

        public void Dispose() => _listener.Close();
    }

    private static HashSet<string> UpMembers(TestNode node) =>
        Cluster.Get(node.System).State.Members.Where(m => m.Status == MemberStatus.Up).Select(m => m.Address.ToString()).ToHashSet();

    private static string Address(TestNode node) => Cluster.Get(node.System).SelfAddress.ToString();

    private static Task UntilAsync(Func<bool> done, string what) => Eventually.UntilAsync(done, Patience, what);

    public async Task DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync();
        }

        TempJournal.Delete(_journal);
    }
}
