using Actors.Tests.Support;
using Akka.Cluster;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Clustering;

/// <summary>
/// Members that know no seeds, only where each other's bootstrap ports are (config discovery):
/// three started at once form one cluster, exactly once, and a fourth joins it.
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

    private Task<TestNode> StartAsync(int managementPort, IReadOnlyList<string> endpoints) =>
        TestNode.StartAsync(_journal, Hocon, port: Actors.TestSupport.Ports.Free(), options: o =>
        {
            o.Discovery = "config";
            o.DiscoveryEndpoints = endpoints;
            o.ManagementPort = managementPort;
        });

    private static HashSet<string> UpMembers(TestNode node) =>
        Cluster.Get(node.System).State.Members.Where(m => m.Status == MemberStatus.Up).Select(m => m.Address.ToString()).ToHashSet();

    private static string Address(TestNode node) => Cluster.Get(node.System).SelfAddress.ToString();

    private static async Task UntilAsync(Func<bool> done, string what)
    {
        var until = DateTime.UtcNow + Patience;
        while (!done())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{what}: not within {Patience}");
            }

            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync();
        }

        TempJournal.Delete(_journal);
    }
}
