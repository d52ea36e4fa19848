using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Actors.Protocol;
using Actors.Tests.Support;
using Actors.TestSupport;
using Actors.Web;
using Akka.Configuration;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Web;

/// <summary>A node's web ports in process: health probes, the dashboard's feed, its token and its bounds.</summary>
public sealed class NodeWebSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // A variable of this spec's own, so no other spec's node reads the token.
    private readonly string _tokenVariable = "ACTORS_TEST_TOKEN_" + Guid.NewGuid().ToString("N");
    private readonly string _journal = TempJournal.NewPath();
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
    private TestNode _node = null!;

    private string Dashboard => NodeWeb.UrlOf(_node.System, "dashboard")!;
    private string Health => NodeWeb.UrlOf(_node.System, "health")!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(_tokenVariable, "s3cret-token");
        _node = await TestNode.StartAsync(_journal, $$"""
            actors.web {
              dashboard-port = 0
              health-port = 0
              token-variable = "{{_tokenVariable}}"
              max-viewers = 1
              refresh-interval = 200ms
            }
            """);
    }

    [Fact]
    public async Task Probes_answer_on_both_ports_without_the_token_and_the_health_port_serves_nothing_else()
    {
        foreach (var url in new[] { Dashboard, Health })
        {
            var live = await _http.GetAsync($"{url}/health/live");
            live.StatusCode.Should().Be(HttpStatusCode.OK);
            (await live.Content.ReadAsStringAsync()).Should().Be("Healthy");
            var ready = await Eventually.UntilAsync(() => _http.GetAsync($"{url}/health/ready"), r => r.StatusCode == HttpStatusCode.OK,
                Patience, "the node ready");
            (await ready.Content.ReadAsStringAsync()).Should().Be("Healthy");
        }

        (await _http.GetAsync($"{Health}/")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _http.GetAsync($"{Health}/status.json")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_dashboard_needs_its_token_as_a_bearer_header_or_the_cookie_it_sets()
    {
        (await _http.GetAsync($"{Dashboard}/")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Get("/status.json", bearer: "wrong")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var login = await _http.GetAsync($"{Dashboard}/?token=s3cret-token");
        login.StatusCode.Should().Be(HttpStatusCode.Redirect);
        login.Headers.Location!.ToString().Should().Be("/");
        var cookie = login.Headers.GetValues("Set-Cookie").Should().ContainSingle().Subject;
        cookie.Should().Contain("httponly").And.Contain("samesite=strict");

        var page = new HttpRequestMessage(HttpMethod.Get, $"{Dashboard}/");
        page.Headers.Add("Cookie", cookie.Split(';')[0]);
        var served = await _http.SendAsync(page);
        served.StatusCode.Should().Be(HttpStatusCode.OK);
        served.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        served.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'none'");
        (await served.Content.ReadAsStringAsync()).Should().Contain("new EventSource(\"events\")");

        (await Get("/status.json", bearer: "s3cret-token")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_feed_sends_the_cluster_s_figures_several_times_a_second_and_counts_refusals_by_code()
    {
        // An invalid request is answered InvalidRequest by the gateway: a refusal the dashboard shows by code.
        var refused = await _node.Client.SendAsync(new GetCounter(_node.Client.NewRequestId(), new string('k', 300)));
        refused.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.InvalidRequest);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Dashboard}/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-token");
        using var events = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        events.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        using var within = new CancellationTokenSource(Patience);
        var frames = new List<JsonElement>();
        while (frames.Count < 3)
        {
            var line = await reader.ReadLineAsync(within.Token);
            if (line is not null && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                frames.Add(JsonDocument.Parse(line["data: ".Length..]).RootElement);
            }
        }

        var member = frames[^1].GetProperty("members").EnumerateArray().Should().ContainSingle().Subject;
        member.GetProperty("address").GetString().Should().Be(Akka.Cluster.Cluster.Get(_node.System).SelfAddress.ToString());
        member.GetProperty("status").GetString().Should().Be("Up");
        member.GetProperty("recentErrors").EnumerateArray()
            .Should().Contain(e => e.GetProperty("code").GetString() == "InvalidRequest" && e.GetProperty("count").GetInt64() >= 1);
        var at = frames.Select(f => f.GetProperty("at").GetInt64()).ToList();
        at.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems("each frame is a fresh poll");

        // max-viewers = 1: a second page is told so, not queued.
        using var second = new HttpRequestMessage(HttpMethod.Get, $"{Dashboard}/events");
        second.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-token");
        (await _http.SendAsync(second)).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
    }

    [Theory]
    [InlineData("0.0.0.0", false, null, false, "over plain HTTP")]
    [InlineData("0.0.0.0", true, null, false, "without a token")]
    [InlineData("0.0.0.0", true, "t", false, null)]
    [InlineData("0.0.0.0", false, null, true, null)]
    [InlineData("127.0.0.1", false, null, false, null)]
    public void Off_loopback_the_ports_need_TLS_and_the_dashboard_a_token_unless_insecure(string bind, bool tls, string? token, bool insecure,
        string? refusal)
    {
        var settings = WebSettings.From(ConfigurationFactory.ParseString(
            $"actors.web {{ bind = \"{bind}\", dashboard-port = 9470, allow-insecure = {(insecure ? "on" : "off")} }}")
            .WithFallback(Actors.Hosting.NodeConfig.Defaults)) with
        { Token = token };

        var check = () => settings.Check(tls);

        if (refusal is null)
        {
            check.Should().NotThrow();
        }
        else
        {
            check.Should().Throw<FormatException>().WithMessage($"*{refusal}*");
        }
    }

    private Task<HttpResponseMessage> Get(string path, string bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{Dashboard}{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return _http.SendAsync(request);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _node.DisposeAsync();
        TempJournal.Delete(_journal);
        Environment.SetEnvironmentVariable(_tokenVariable, null);
    }
}
