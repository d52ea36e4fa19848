using System.Text.Json;
using Actors.Tests.Support;
using Actors.TestSupport;
using Actors.Web;
using Akka.Cluster;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Web;

/// <summary>Any member's dashboard shows the whole cluster: two members, the page's figures read from the second.</summary>
public sealed class ClusterDashboardSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _journal = TempJournal.NewPath();
    private TestNode _first = null!;
    private TestNode _second = null!;

    public async Task InitializeAsync() => (_first, _second) = await TestNode.StartPairAsync(_journal, "actors.web.dashboard-port = 0");

    [Fact]
    public async Task The_second_member_s_dashboard_lists_both_members_with_their_figures()
    {
        using var http = new HttpClient();
        var url = $"{NodeWeb.UrlOf(_second.System, "dashboard")}/status.json";
        var expected = new[] { _first, _second }.Select(n => Cluster.Get(n.System).SelfAddress.ToString()).Order().ToList();
        var members = await Eventually.UntilAsync(async () =>
            {
                using var document = JsonDocument.Parse(await http.GetStringAsync(url));
                return document.RootElement.GetProperty("members").EnumerateArray().Select(m => m.Clone()).ToList();
            }, read => read.Count == 2 && read.All(m => m.GetProperty("status").GetString() == "Up" && m.GetProperty("reachable").GetBoolean()),
            Patience, "both members Up on the second's dashboard");

        members.Select(m => m.GetProperty("address").GetString()).Should().Equal(expected);
        members.Should().OnlyContain(m => m.GetProperty("lanes").GetArrayLength() > 0 && m.GetProperty("entityTypes").GetArrayLength() > 0,
            "each member's own figures come along, not just its name");
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        TempJournal.Delete(_journal);
    }
}
