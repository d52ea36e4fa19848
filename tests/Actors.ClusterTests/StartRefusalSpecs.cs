using Actors.ClusterTests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.ClusterTests;

/// <summary>A node refuses to start wrong: within seconds, exit code 1, one clear line, nothing bound.</summary>
public sealed class StartRefusalSpecs(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "actors-refusal-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_second_node_on_a_taken_port_exits_at_once_and_the_first_restarts_on_it_right_after_a_stop()
    {
        var port = HostProcess.FreePort();
        string[] args = ["node", "--port", port.ToString(), "--cluster-port", HostProcess.FreePort().ToString(), "--db", $"sqlite:{Path.Combine(_data, "a.db")}"];
        using var first = HostProcess.Start(output, "first", args);
        await first.WaitForLineAsync("Actors node up", StartTimeout);

        var (code, second) = await HostProcess.RunAsync(output, "second", StartTimeout,
            "node", "--port", port.ToString(), "--db", $"sqlite:{Path.Combine(_data, "b.db")}");

        code.Should().Be(1);
        second.Stderr.Should().ContainSingle().Which.Should().Contain($"port {port}").And.Contain("taken");
        second.Stdout.Should().NotContain(l => l.Contains("Actors node up", StringComparison.Ordinal));

        first.Terminate();
        await first.WaitForExitAsync(StartTimeout);
        using var again = HostProcess.Start(output, "again", args);
        await again.WaitForLineAsync("Actors node up", StartTimeout);
        again.Terminate();
        await again.WaitForExitAsync(StartTimeout);
        again.ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task Of_two_nodes_started_at_the_same_moment_on_one_port_one_serves_and_the_other_exits()
    {
        var (port, clusterPort) = (HostProcess.FreePort(), HostProcess.FreePort());
        string[] Args(string db) =>
            ["node", "--port", port.ToString(), "--cluster-port", clusterPort.ToString(), "--db", $"sqlite:{Path.Combine(_data, db)}"];
        using var a = HostProcess.Start(output, "a", Args("a.db"));
        using var b = HostProcess.Start(output, "b", Args("b.db"));

        // Both pass the listening probe before either binds; the claim on the address lets one through.
        var loser = await await Task.WhenAny(
            a.WaitForExitAsync(StartTimeout).ContinueWith(_ => a, TaskScheduler.Default),
            b.WaitForExitAsync(StartTimeout).ContinueWith(_ => b, TaskScheduler.Default));
        var winner = ReferenceEquals(loser, a) ? b : a;

        loser.ExitCode.Should().Be(1);
        loser.Stderr.Should().Contain(l => l.Contains("taken", StringComparison.Ordinal));
        await winner.WaitForLineAsync("Actors node up", StartTimeout);
        winner.HasExited.Should().BeFalse();
        winner.Terminate();
        await winner.WaitForExitAsync(StartTimeout);
    }

    [Theory]
    [InlineData("the SQLite journal", "node", "--port", "4999", "--seed", "127.0.0.1:4998")]
    [InlineData("--insecure", "node", "--hostname", "0.0.0.0", "--port", "4999")]
    [InlineData("over plain HTTP", "node", "--port", "4999", "--dashboard-port", "4990", "--dashboard-bind", "0.0.0.0")]
    [InlineData("--db postgres", "node", "--port", "4999", "--discovery", "config", "--discovery-endpoint", "127.0.0.1:4990")]
    [InlineData("--otlp-endpoint must be", "node", "--port", "4999", "--otlp-endpoint", "not a url")]
    public async Task A_node_told_to_start_wrong_refuses_with_one_line(string says, params string[] args)
    {
        var (code, node) = await HostProcess.RunAsync(output, "wrong", StartTimeout, [.. args, "--db", $"sqlite:{Path.Combine(_data, "c.db")}"]);

        code.Should().Be(1);
        node.Stderr.Should().ContainSingle().Which.Should().Contain(says);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Best effort (the refused nodes created nothing).
        }
    }
}
