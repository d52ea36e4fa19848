using System.CommandLine;
using Actors.Hosting;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Host;

/// <summary>The <c>node</c> verb: runs one cluster member until Ctrl-C or SIGTERM.</summary>
internal static class NodeCommand
{
    private static readonly Option<string?> Hostname = new("--hostname") { Description = "Address to bind and advertise (default 127.0.0.1)" };
    private static readonly Option<int?> Port = new("--port") { Description = "Port clients connect to, the gateway endpoint (default 4053)" };
    private static readonly Option<int?> ClusterPort = new("--cluster-port") { Description = "Port members talk on (default --port + 100, i.e. 4153)" };
    private static readonly Option<string[]> Seeds = new("--seed")
    {
        Description = "Seed node host:cluster-port, repeatable (default: the node itself)",
    };
    private static readonly Option<string?> Discovery = new("--discovery")
    {
        Description = "Form or join the cluster by discovery instead of --seed: config (the bootstrap ports given by --discovery-endpoint) or kubernetes (pods labelled app=actors)",
    };
    private static readonly Option<string[]> DiscoveryEndpoints = new("--discovery-endpoint")
    {
        Description = "With --discovery config: a member's bootstrap port as host:port, repeatable (this node's own too)",
    };
    private static readonly Option<int?> ManagementPort = new("--management-port")
    {
        Description = "This member's bootstrap port, where the others find it (default 8558; used with --discovery)",
    };
    private static readonly Option<string?> ManagementBind = new("--management-bind")
    {
        Description = "Address the bootstrap port binds to (default 127.0.0.1; elsewhere needs --tls or --insecure)",
    };
    private static readonly Option<string[]> Roles = new("--roles") { Description = "Cluster roles of this node, repeatable" };
    private static readonly Option<string> Db = new("--db")
    {
        Description = "Journal: sqlite[:path] (default sqlite:data/actors.db) or postgres (shared by a cluster's members)",
        DefaultValueFactory = _ => "sqlite",
    };
    private static readonly Option<string?> DbConnection = new("--db-connection")
    {
        Description = $"PostgreSQL connection string for --db postgres (default: ${NodeOptions.ConnectionVariable})",
    };
    private static readonly Option<FileInfo?> ConfigFile = new("--config") { Description = "Extra HOCON file, over hocon/node.conf and under these flags" };

    private static readonly Option<int?> MetricsPort = new("--metrics-port") { Description = "Serve Prometheus metrics on this port (e.g. 9464)" };
    private static readonly Option<string> MetricsBind = new("--metrics-bind")
    {
        Description = "Address the metrics endpoint binds to (default 127.0.0.1)",
        DefaultValueFactory = _ => "127.0.0.1",
    };

    private static readonly Option<int?> DashboardPort = new("--dashboard-port")
    {
        Description = "Serve the live dashboard (and /health/live, /health/ready) on this port (e.g. 9470)",
    };
    private static readonly Option<string?> DashboardBind = new("--dashboard-bind")
    {
        Description = "Address the dashboard and health ports bind to (default 127.0.0.1; elsewhere needs --tls and " +
                      "ACTORS_DASHBOARD_TOKEN, or --insecure)",
    };
    private static readonly Option<int?> HealthPort = new("--health-port")
    {
        Description = "Serve only /health/live and /health/ready on this port (for probes, without the dashboard)",
    };

    private static readonly Option<string?> OtlpEndpoint = new("--otlp-endpoint")
    {
        Description = "Export request spans (source 'Actors') to this OpenTelemetry collector over OTLP/HTTP, e.g. http://127.0.0.1:4318",
    };

    private static readonly Option<bool> BenchBaselines = new("--bench-baselines")
    {
        Description = "Also host the raw Akka.NET counters `bench --baseline` compares against, and honour FailRate (benchmarking only)",
    };

    private static readonly Option<DirectoryInfo?> Tls = TlsOption.Create(recursive: false, Actors.Security.Certificates.NodeFile);

    private static readonly Option<bool> Insecure = new("--insecure")
    {
        Description = "Allow plain TCP on an address other than loopback (only on a network you trust)",
    };

    private static readonly Option[] All =
        [
            Hostname, Port, ClusterPort, Seeds, Discovery, DiscoveryEndpoints, ManagementPort, ManagementBind, Roles, Db, DbConnection, ConfigFile, MetricsPort, MetricsBind, DashboardPort, DashboardBind,
            HealthPort, OtlpEndpoint, BenchBaselines, Tls, Insecure,
        ];

    public static Command Create()
    {
        var command = new Command("node", "Run one cluster member (the default verb).");
        AddTo(command);
        return command;
    }

    public static void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }

        command.SetAction((result, ct) => RunAsync(result, ct));
    }

    private static async Task<int> RunAsync(ParseResult result, CancellationToken ct)
    {
        // The node's two ports, held until the process ends.
        var claims = new List<IDisposable>();
        NodeOptions options;
        Config? extra = null;
        Uri? otlp = null;
        try
        {
            if (result.GetValue(OtlpEndpoint) is { } collector)
            {
                otlp = Uri.TryCreate(collector, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                    ? url
                    : throw new FormatException($"--otlp-endpoint must be an http(s) URL, e.g. http://127.0.0.1:4318 (got '{collector}')");
            }

            options = new NodeOptions
            {
                Hostname = result.GetValue(Hostname),
                Port = result.GetValue(Port),
                ClusterPort = result.GetValue(ClusterPort),
                Seeds = result.GetValue(Seeds),
                Roles = result.GetValue(Roles) is { Length: > 0 } roles ? roles : null,
                Tls = TlsOption.Load(result, Tls, Actors.Security.Certificates.NodeFile),
                DashboardPort = result.GetValue(DashboardPort),
                HealthPort = result.GetValue(HealthPort),
                WebBind = result.GetValue(DashboardBind),
                InsecureWeb = result.GetValue(Insecure),
                Discovery = result.GetValue(Discovery),
                DiscoveryEndpoints = result.GetValue(DiscoveryEndpoints) is { Length: > 0 } endpoints ? endpoints : null,
                ManagementPort = result.GetValue(ManagementPort),
                ManagementBind = result.GetValue(ManagementBind),
            }.UseDb(result.GetValue(Db)!, result.GetValue(DbConnection));
            foreach (var seed in options.Seeds ?? [])
            {
                HostPort.Parse(seed);
            }

            if (result.GetValue(ConfigFile) is { } file)
            {
                extra = ConfigurationFactory.ParseString(await File.ReadAllTextAsync(file.FullName, ct));
            }

            // Where it will bind: the flags, else --config, else node.conf.
            var merged = options.ToConfig().WithFallback(extra ?? Config.Empty).WithFallback(NodeConfig.Defaults);
            var (hostname, port) = (merged.GetString("akka.remote.dot-netty.tcp.hostname"), merged.GetInt("akka.remote.dot-netty.tcp.port"));
            var endpointPort = options.Port ?? NodeConfig.Defaults.GetInt("actors.endpoint.port");
            StartChecks.Validate(options, hostname, port, result.GetValue(Insecure));
            Actors.Web.WebSettings.From(merged).Check(options.Tls is not null);
            if (endpointPort == port && port != 0)
            {
                throw new FormatException($"--port and --cluster-port are both {port}: clients and members need a port each");
            }

            claims.Add(StartChecks.ClaimPort(hostname, port));
            claims.Add(StartChecks.ClaimPort(hostname, endpointPort));
        }
        catch (Exception e) when (e is FormatException or IOException or ConfigurationException or System.Net.Sockets.SocketException)
        {
            claims.ForEach(c => c.Dispose());
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }

        using var host = NodeHost.Build(options, extra, akka => akka.AddStartup((system, _) => Cluster.Get(system).RegisterOnMemberUp(() =>
        {
            var contact = GatewayEndpoint.ContactOf(system);
            Console.WriteLine($"Actors node up: clients at {contact}, cluster at {Cluster.Get(system).SelfAddress} " +
                              $"(journal {options.DescribeJournal(system.Settings.Config)}). " +
                              $"Message it with: dotnet run -c Release --project src/Host -- send pi --samples 1000000 --contact {contact}" +
                              (result.GetValue(Tls) is { } tls ? $" --tls {tls.FullName}" : ""));
        })), metrics: result.GetValue(MetricsPort) is { } metricsPort ? (result.GetValue(MetricsBind)!, metricsPort) : null,
            benchBaselines: result.GetValue(BenchBaselines), otlp: otlp);
        try
        {
            await host.RunAsync(ct);
            return 0;
        }
        finally
        {
            claims.ForEach(c => c.Dispose());
        }
    }
}
