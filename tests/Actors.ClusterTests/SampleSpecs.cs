using Actors.ClusterTests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.ClusterTests;

/// <summary>The README's own service: the shop sample's node and client, each its own process, against each other.</summary>
public sealed class SampleSpecs(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "actors-sample-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_shop_client_walks_through_carts_prices_bulk_calls_and_errors_against_the_shop_node()
    {
        var port = HostProcess.FreePort();
        Directory.CreateDirectory(_data);
        using var node = HostProcess.StartProgram(output, "shop-node", Sample("Shop.Node"), "--port", port.ToString(), "--data", _data);
        await node.WaitForLineAsync("Shop node up", Limit);

        using var client = HostProcess.StartProgram(output, "shop-client", Sample("Shop.Client"), "--contact", $"127.0.0.1:{port}");
        await client.WaitForExitAsync(Limit);

        client.ExitCode.Should().Be(0);
        client.Stdout.Should().Contain("walk-through done").And.NotContain(l => l.StartsWith("FAILED", StringComparison.Ordinal));
        node.Terminate();
        await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// A sample run from its own build output, as a team runs it: this test's folder holds the node's
    /// dependencies (ASP.NET Core's framework among them), not what the client alone brings along.
    /// </summary>
    private static string Sample(string project)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var (framework, configuration) = (here.Name, here.Parent!.Name);
        var root = here.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(root, "samples", project, "bin", configuration, framework, project + ".dll");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
