using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Actors.Hosting;

/// <summary>
/// What a node refuses to start with, checked before anything binds: each failure is one
/// clear sentence (<see cref="FormatException"/>) the Host prints before exiting non-zero.
/// </summary>
public static class StartChecks
{
    /// <summary>
    /// A journal per member forks a key's state when it moves, so a node that joins others
    /// needs the shared one; and plain TCP is for loopback only unless the node runs TLS or the
    /// operator says <paramref name="insecure"/>.
    /// </summary>
    public static void Validate(NodeOptions options, string hostname, int port, bool insecure)
    {
        if (options.PostgresConnection is null && (options.Seeds ?? []).Any(seed => !IsSelf(seed, hostname, port)))
        {
            throw new FormatException(
                "the SQLite journal is this node's own file: a node that joins others (--seed other than itself) needs the shared journal, --db postgres");
        }

        if (options.Discovery is not null)
        {
            CheckDiscovery(options, insecure);
        }

        if (options.Tls is null && !insecure && !IsLoopback(hostname))
        {
            throw new FormatException(
                $"refusing to serve {hostname} over plain TCP: anyone who reaches the port could join or send anything; " +
                "start with --tls DIR (see the `certs` verb), bind 127.0.0.1, or pass --insecure on a network you trust");
        }
    }

    private static void CheckDiscovery(NodeOptions options, bool insecure)
    {
        if (options.Seeds is { Count: > 0 })
        {
            throw new FormatException("a node finds its cluster by --seed or by --discovery, not both");
        }

        if (options.PostgresConnection is null)
        {
            throw new FormatException("--discovery forms a cluster of several members, which need the shared journal: --db postgres");
        }

        if (options.Discovery is not (Bootstrap.BootstrapHosting.Config or Bootstrap.BootstrapHosting.Kubernetes))
        {
            throw new FormatException(
                $"--discovery must be {Bootstrap.BootstrapHosting.Config} or {Bootstrap.BootstrapHosting.Kubernetes} (got '{options.Discovery}')");
        }

        if (options.Discovery == Bootstrap.BootstrapHosting.Config && options.DiscoveryEndpoints is not { Count: > 0 })
        {
            throw new FormatException("--discovery config needs the members' bootstrap ports: --discovery-endpoint host:port, repeated");
        }

        if (options.ManagementBind is { } bind && !IsLoopback(bind) && options.Tls is null && !insecure)
        {
            throw new FormatException(
                $"refusing to serve the bootstrap port on {bind} over plain HTTP: start with --tls DIR, " +
                "bind it to 127.0.0.1, or pass --insecure on a network you trust");
        }
    }

    /// <summary>
    /// Claims the port for this process until the returned handle is disposed (or the process
    /// ends, however it ends), and throws when another process has it. Akka binds with
    /// SO_REUSEADDR, which .NET on Linux maps to SO_REUSEPORT too, so a second node would bind
    /// beside the first and the kernel would split clients between two clusters. Two checks: an
    /// exclusive lock on a file named by the address (two nodes started at the same moment cannot
    /// both pass it), and a probe with SO_REUSEADDR alone, which binds past connections left in
    /// TIME_WAIT by a node that just stopped but not past a listener of any other program.
    /// </summary>
    public static IDisposable ClaimPort(string hostname, int port)
    {
        if (port == 0)
        {
            return new MemoryStream();
        }

        FileStream claim;
        try
        {
            // FileShare.None is an exclusive flock on Unix: released by the kernel when the process dies.
            claim = new FileStream(Path.Combine(Path.GetTempPath(), $"actors-node-{hostname.Replace(':', '_')}-{port}.lock"),
                FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new FormatException($"port {port} on {hostname} is taken by another node process on this machine");
        }

        try
        {
            Probe(hostname, port);
            return claim;
        }
        catch
        {
            claim.Dispose();
            throw;
        }
    }

    private static void Probe(string hostname, int port)
    {
        var address = IPAddress.TryParse(hostname, out var ip) ? ip
            : Dns.GetHostAddresses(hostname).FirstOrDefault() ?? throw new FormatException($"cannot resolve {hostname}");
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            const int solSocket = 1, soReuseAddr = 2;
            probe.SetRawSocketOption(solSocket, soReuseAddr, BitConverter.GetBytes(1));
        }

        try
        {
            probe.Bind(new IPEndPoint(address, port));
            probe.Listen(1);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new FormatException($"port {port} on {hostname} is taken by another process (is a node already running there?)");
        }
    }

    /// <summary>A port nothing listens on now, for an endpoint asked to bind "any free port" (0).</summary>
    public static int FreePort(string hostname)
    {
        using var probe = new TcpListener(IPAddress.TryParse(hostname, out var ip) ? ip : IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static bool IsSelf(string seed, string hostname, int port)
    {
        var (host, seedPort) = HostPort.Parse(seed);
        return seedPort == port && (host == hostname || (IsLoopback(host) && IsLoopback(hostname)));
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
}
