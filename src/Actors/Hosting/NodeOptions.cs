using System.Text;
using Akka.Configuration;

namespace Actors.Hosting;

/// <summary>
/// The per-node settings a person changes on the command line. A null member keeps the value
/// of <c>hocon/node.conf</c> (or of extra HOCON the host added); only set members are rendered.
/// </summary>
public sealed class NodeOptions
{
    public string? Hostname { get; set; }

    /// <summary>The gateway endpoint's port, where clients connect (<c>actors.endpoint.port</c>); 0: any free one.</summary>
    public int? Port { get; set; }

    /// <summary>
    /// The cluster port, where members (and seeds) talk. Null: <see cref="Port"/> + <c>actors.endpoint.cluster-port-offset</c>
    /// when a port is given (0 stays 0), else <c>akka.remote.dot-netty.tcp.port</c>.
    /// </summary>
    public int? ClusterPort { get; set; }

    /// <summary>Seed nodes as <c>host:port</c>. Empty or null: the node joins itself.</summary>
    public IReadOnlyList<string>? Seeds { get; set; }

    /// <summary>Cluster roles; the node adds one that tells other members its gateway endpoint's port.</summary>
    public IReadOnlyList<string>? Roles { get; set; }

    /// <summary>Mutual TLS with the cluster's own CA (<c>--tls DIR</c>); null: plain TCP.</summary>
    public Security.TlsSettings? Tls { get; set; }

    /// <summary>The dashboard's port (<c>actors.web.dashboard-port</c>; it serves the health probes too); 0: any free one.</summary>
    public int? DashboardPort { get; set; }

    /// <summary>A port for the health probes alone (<c>actors.web.health-port</c>).</summary>
    public int? HealthPort { get; set; }

    /// <summary>The address the web ports bind to (<c>actors.web.bind</c>, loopback by default).</summary>
    public string? WebBind { get; set; }

    /// <summary>Plain HTTP and no dashboard token off loopback (<c>--insecure</c>; a network you trust only).</summary>
    public bool InsecureWeb { get; set; }

    /// <summary>
    /// Form or join the cluster by discovery instead of seeds (<c>actors.bootstrap</c>): <c>config</c>
    /// finds the members' bootstrap ports in <see cref="DiscoveryEndpoints"/>, <c>kubernetes</c> as
    /// the pods labelled app=actors.
    /// </summary>
    public string? Discovery { get; set; }

    /// <summary>With <c>--discovery config</c>: every member's bootstrap port as <c>host:port</c>.</summary>
    public IReadOnlyList<string>? DiscoveryEndpoints { get; set; }

    /// <summary>The bootstrap port (<c>actors.bootstrap.port</c>), served with <see cref="Discovery"/>.</summary>
    public int? ManagementPort { get; set; }

    /// <summary>The address the bootstrap port binds to (<c>actors.bootstrap.bind</c>, loopback by default).</summary>
    public string? ManagementBind { get; set; }

    /// <summary>SQLite journal file; its snapshots go to a sibling <c>-snapshots.db</c> file.</summary>
    public string? SqlitePath { get; set; }

    /// <summary>
    /// When set, the journal and snapshot store are this PostgreSQL database (settings from
    /// <c>hocon/postgres.conf</c>) instead of the SQLite files.
    /// </summary>
    public string? PostgresConnection { get; set; }

    /// <summary>Where <c>--db postgres</c> reads its connection string when no flag gives one.</summary>
    public const string ConnectionVariable = "ACTORS_DB_CONNECTION";

    /// <summary>
    /// Applies a <c>--db</c> value: <c>sqlite</c> (the default file), <c>sqlite:path</c>, or
    /// <c>postgres</c> with <paramref name="connection"/> or, without it, the
    /// <c>ACTORS_DB_CONNECTION</c> variable. Throws <see cref="FormatException"/> with a clear message.
    /// </summary>
    public NodeOptions UseDb(string db, string? connection = null)
    {
        switch (db)
        {
            case "sqlite":
                return this;
            case var _ when db.StartsWith("sqlite:", StringComparison.Ordinal) && db.Length > "sqlite:".Length:
                SqlitePath = db["sqlite:".Length..];
                return this;
            case "postgres" or "postgresql":
                connection ??= Environment.GetEnvironmentVariable(ConnectionVariable);
                if (string.IsNullOrWhiteSpace(connection))
                {
                    throw new FormatException(
                        $"--db postgres needs a connection string: set {ConnectionVariable} or pass --db-connection " +
                        "(e.g. \"Host=127.0.0.1;Port=5432;Database=actors;Username=actors;Password=...\")");
                }

                PostgresJournal.ConnectionConfig(connection);
                PostgresConnection = connection;
                return this;
            default:
                throw new FormatException($"--db must be sqlite, sqlite:<path> or postgres (got '{db}')");
        }
    }

    /// <summary>Where this node's journal is, for log lines (no password).</summary>
    public string DescribeJournal(Config config) => PostgresConnection is { } postgres
        ? PostgresJournal.Describe(postgres)
        : $"sqlite {Path.GetFullPath(config.GetString("actors.journal.sqlite-path"))}";

    public Config ToConfig()
    {
        var hocon = new StringBuilder();
        if (Hostname is not null)
        {
            hocon.AppendLine($"akka.remote.dot-netty.tcp.hostname = {ActorsConfig.Quote(Hostname)}");
        }

        if (Port is { } port)
        {
            hocon.AppendLine($"actors.endpoint.port = {port}");
        }

        int? derived = Port is { } given ? (given == 0 ? 0 : given + NodeConfig.Defaults.GetInt("actors.endpoint.cluster-port-offset")) : null;
        if ((ClusterPort ?? derived) is { } clusterPort)
        {
            hocon.AppendLine($"akka.remote.dot-netty.tcp.port = {clusterPort}");
        }

        if (SqlitePath is not null)
        {
            hocon.AppendLine($"actors.journal.sqlite-path = {ActorsConfig.Quote(SqlitePath)}");
        }

        if (DashboardPort is { } dashboard)
        {
            hocon.AppendLine($"actors.web.dashboard-port = {dashboard}");
        }

        if (HealthPort is { } health)
        {
            hocon.AppendLine($"actors.web.health-port = {health}");
        }

        if (WebBind is not null)
        {
            hocon.AppendLine($"actors.web.bind = {ActorsConfig.Quote(WebBind)}");
        }

        if (Discovery == Bootstrap.BootstrapHosting.Kubernetes)
        {
            hocon.AppendLine($"actors.bootstrap.discovery-method = {Bootstrap.BootstrapHosting.KubernetesMethod}");
        }

        if (ManagementPort is { } management)
        {
            hocon.AppendLine($"actors.bootstrap.port = {management}");
        }

        if (ManagementBind is not null)
        {
            hocon.AppendLine($"actors.bootstrap.bind = {ActorsConfig.Quote(ManagementBind)}");
        }

        if (DiscoveryEndpoints is { Count: > 0 } endpoints)
        {
            foreach (var endpoint in endpoints)
            {
                HostPort.Parse(endpoint);
            }

            hocon.AppendLine($"akka.discovery.config.services.actors.endpoints = [{string.Join(", ", endpoints.Select(ActorsConfig.Quote))}]");
        }

        if (InsecureWeb)
        {
            hocon.AppendLine("actors.web.allow-insecure = on");
        }

        return ConfigurationFactory.ParseString(hocon.ToString());
    }

    /// <summary>Seed addresses of the form <c>akka.tcp://system@host:port</c> (<c>akka.ssl.tcp</c> with TLS).</summary>
    public static IReadOnlyList<string> SeedAddresses(string systemName, IEnumerable<string> seeds, bool tls = false) =>
        seeds.Select(seed =>
        {
            var (host, port) = HostPort.Parse(seed);
            return $"{ActorsConfig.Scheme(tls)}://{systemName}@{host}:{port}";
        }).ToList();
}
