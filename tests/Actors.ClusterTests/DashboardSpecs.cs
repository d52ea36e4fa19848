using System.Diagnostics;
using System.Globalization;
using Actors.Client;
using Actors.ClusterTests.Support;
using Actors.Protocol;
using Actors.TestSupport;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.ClusterTests;

/// <summary>A real node with --dashboard-port, its page open in headless Chromium while load runs.</summary>
public sealed class DashboardSpecs(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _data = Path.Combine(Path.GetTempPath(), "actors-dashboard", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_page_shows_the_member_and_its_live_request_rate_and_refreshes_without_reloading()
    {
        Directory.CreateDirectory(_data);
        var port = HostProcess.FreePort();
        var clusterPort = HostProcess.FreePort();
        var dashboardPort = HostProcess.FreePort();
        // ASP.NET Core's own settings name other addresses (a Kestrel endpoint from the environment did
        // add a listener, past the bind checks): only actors.web may say where the page listens.
        var (strayPort, strayUrlsPort) = (HostProcess.FreePort(), HostProcess.FreePort());
        using var node = HostProcess.Start(output, "node", new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Stray__Url"] = $"http://127.0.0.1:{strayPort}",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{strayUrlsPort}",
        },
            "node", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--cluster-port", clusterPort.ToString(CultureInfo.InvariantCulture), "--db", $"sqlite:{Path.Combine(_data, "actors.db")}",
            "--dashboard-port", dashboardPort.ToString(CultureInfo.InvariantCulture));
        await node.WaitForLineAsync("Actors node up", TimeSpan.FromSeconds(90));

        await using var client = ActorsClient.Connect([$"127.0.0.1:{port}"]);
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await client.MapAsync(Enumerable.Range(0, 200).Select(i => (IRequest)new AddToCounter(client.NewRequestId(), $"k{i % 20}", 1)),
                    window: 20);
            }
        });

        await using var browser = await HeadlessChromium.StartAsync(Patience);
        await browser.NavigateAsync($"http://127.0.0.1:{dashboardPort}/");
        var member = $"akka.tcp://actors@127.0.0.1:{clusterPort}";
        const string row = """
            (() => {
              const r = document.querySelector('#members tr[data-member]');
              if (!r) return '';
              return r.dataset.member + '|' + r.querySelector('[data-field=rps]').textContent + '|' + document.getElementById('state').dataset.frames;
            })()
            """;

        // The member's address and a live rate, then frames arriving with the page left as it is.
        var seen = await Eventually.UntilAsync(async () => await browser.EvaluateAsync(row) ?? "",
            r => r.StartsWith(member + "|", StringComparison.Ordinal) && Rate(r) > 0, Patience, "the member and a live req/s on the page");
        // Frames the page has rendered, counted by the page itself, over 6 s.
        var before = int.Parse((await browser.EvaluateAsync(row))!.Split('|')[2], CultureInfo.InvariantCulture);
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(6));
        var after = int.Parse((await browser.EvaluateAsync(row))!.Split('|')[2], CultureInfo.InvariantCulture);
        var seconds = watch.Elapsed.TotalSeconds;
        var frames = after - before;

        var screenshot = Path.Combine(AppContext.BaseDirectory, "dashboard.png");
        await File.WriteAllBytesAsync(screenshot, await browser.ScreenshotAsync());
        await stop.CancelAsync();
        await load;

        using var http = new HttpClient();
        var page = await http.GetByteArrayAsync($"http://127.0.0.1:{dashboardPort}/");
        foreach (var elsewhere in new[] { strayPort, strayUrlsPort })
        {
            var stray = () => http.GetAsync($"http://127.0.0.1:{elsewhere}/");
            await stray.Should().ThrowAsync<HttpRequestException>("nothing listens where ASP.NET Core's own settings point");
        }
        Figures.Record(output, string.Create(CultureInfo.InvariantCulture,
            $"dashboard: page {page.Length:N0} bytes, {frames} frames in {seconds:F1} s without reloading (one per {seconds * 1000 / Math.Max(1, frames):F0} ms), " +
            $"first seen \"{seen}\"; screenshot {screenshot}"));
        frames.Should().BeGreaterThanOrEqualTo((int)seconds, "the page refreshes itself at least once a second");

        node.Terminate();
        await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    private static double Rate(string row) =>
        double.TryParse(row.Split('|')[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) ? rate : 0;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}
