using System.Diagnostics;
using System.Text.Json;
using Actors.ClusterTests.Support;
using Actors.TestSupport;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.PackageTests;

/// <summary>
/// The packages as a team uses them, outside this repository: <c>dotnet pack</c> makes
/// Actors.Client and Actors; the shop's client built against Actors.Client alone and its node
/// against Actors, both restored from a local feed folder, run against each other. A client's
/// dependency closure holds no sharding, persistence, database driver, Hyperion or exporter.
/// </summary>
public sealed class PackagesSpecs(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
    private static readonly string[] NodeOnly =
        ["Akka.Cluster", "Akka.Persistence", "Akka.Serialization.Hyperion", "Microsoft.Data.Sqlite", "Npgsql", "OpenTelemetry", "linq2db"];

    private readonly string _work = Path.Combine(Path.GetTempPath(), "actors-package-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_client_on_Actors_Client_alone_and_a_node_on_Actors_built_from_a_local_feed_run_against_each_other()
    {
        var repo = RepositoryRoot();
        var feed = Path.Combine(_work, "feed");
        foreach (var project in new[] { "src/Actors.Client/Actors.Client.csproj", "src/Actors/Actors.csproj" })
        {
            // --no-build: the test run built them; packing must not rewrite what it loaded.
            (await RunAsync("pack", repo, "pack", Path.Combine(repo, project), "-c", "Release", "--no-build", "-o", feed)).Should().Be(0);
        }

        var version = Path.GetFileNameWithoutExtension(Directory.GetFiles(feed, "Actors.Client.*.nupkg").Single())["Actors.Client.".Length..];
        File.WriteAllText(Path.Combine(_work, "nuget.config"), NugetConfig(feed));
        // As a team lays them out: contracts on Actors.Client, the client on the contracts, the node on both.
        var contracts = Consumer("Shop.Contracts", "Library", repo, "samples/Shop.Contracts", ("Actors.Client", version));
        var client = Consumer("Shop.Client", "Exe", repo, "samples/Shop.Client", project: contracts);
        var node = Consumer("Shop.Node", "Exe", repo, "samples/Shop.Node", ("Actors", version), contracts);
        (await RunAsync("build-client", client, "build", "-c", "Release")).Should().Be(0);
        (await RunAsync("build-node", node, "build", "-c", "Release")).Should().Be(0);

        var clientPackages = Closure(client);
        var nodePackages = Closure(node);
        clientPackages.Should().Contain("Actors.Client").And.NotContain("Actors")
            .And.NotContain(p => NodeOnly.Any(n => p.StartsWith(n, StringComparison.OrdinalIgnoreCase)));
        nodePackages.Should().Contain(["Actors", "Actors.Client", "Akka.Cluster.Sharding", "Akka.Persistence.Sql"]);
        Figures.Record(output, $"packages: Actors.Client closure {clientPackages.Count} packages, {Megabytes(client)} MB of assemblies; " +
                               $"Actors closure {nodePackages.Count} packages, {Megabytes(node)} MB");

        var port = HostProcess.FreePort();
        using var shopNode = HostProcess.StartProgram(output, "packaged-node", Output(node, "Shop.Node.dll"),
            "--port", port.ToString(), "--data", Path.Combine(_work, "data"));
        await shopNode.WaitForLineAsync("Shop node up", TimeSpan.FromSeconds(90));
        using var shopClient = HostProcess.StartProgram(output, "packaged-client", Output(client, "Shop.Client.dll"), "--contact", $"127.0.0.1:{port}");
        await shopClient.WaitForExitAsync(TimeSpan.FromSeconds(90));

        shopClient.ExitCode.Should().Be(0);
        shopClient.Stdout.Should().Contain("walk-through done");
        shopNode.Terminate();
        await shopNode.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>A team's project outside the repository: a sample's sources, a package and a project reference.</summary>
    private string Consumer(string name, string outputType, string repo, string sources, (string Id, string Version)? package = null,
        string? project = null)
    {
        var folder = Path.Combine(_work, name);
        Directory.CreateDirectory(folder);
        var references = (package is { } p ? $"<PackageReference Include=\"{p.Id}\" Version=\"{p.Version}\" />" : "") +
                         (project is not null ? $"<ProjectReference Include=\"{Path.Combine(project, Path.GetFileName(project) + ".csproj")}\" />" : "");
        File.WriteAllText(Path.Combine(folder, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>{outputType}</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
              </PropertyGroup>
              <ItemGroup>
                {references}
                <Compile Include="{Path.Combine(repo, sources, "*.cs")}" />
              </ItemGroup>
            </Project>
            """);
        return folder;
    }

    /// <summary>The local feed for our two packages; everything else from the sources the machine already has.</summary>
    private static string NugetConfig(string feed) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="actors-local" value="{feed}" />
          </packageSources>
          <packageSourceMapping>
            <packageSource key="actors-local">
              <package pattern="Actors" />
              <package pattern="Actors.Client" />
            </packageSource>
            <packageSource key="nuget.org">
              <package pattern="*" />
            </packageSource>
          </packageSourceMapping>
        </configuration>
        """;

    /// <summary>Every package a restore resolved for the project (its dependency closure).</summary>
    private static List<string> Closure(string project)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "obj", "project.assets.json")));
        return assets.RootElement.GetProperty("libraries").EnumerateObject()
            .Where(l => l.Value.GetProperty("type").GetString() == "package")
            .Select(l => l.Name.Split('/')[0])
            .ToList();
    }

    private static string Output(string project, string dll) => Path.Combine(project, "bin", "Release", "net10.0", dll);

    private static string Megabytes(string project) =>
        (Directory.GetFiles(Path.Combine(project, "bin", "Release", "net10.0"), "*.dll").Sum(f => new FileInfo(f).Length) / 1048576.0).ToString("0.0");

    private async Task<int> RunAsync(string name, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        // A cache of its own: a package of this version restored by an earlier run must not stand in for this build's.
        info.Environment["NUGET_PACKAGES"] = Path.Combine(_work, "packages");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {name} did not finish within {Limit}");
        }

        var text = await stdout + await stderr;
        output.WriteLine($"dotnet {string.Join(' ', args)} -> {process.ExitCode}");
        if (process.ExitCode != 0)
        {
            output.WriteLine(text);
        }

        return process.ExitCode;
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Actors.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Actors.sln not found above the test's output folder");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
