using System.Net;
using System.Net.Sockets;

namespace Actors.TestSupport;

/// <summary>
/// Free loopback ports for nodes under test, never one handed out before in this process. They
/// come from below the kernel's ephemeral range (Linux: ip_local_port_range, 32768-60999 by
/// default): a port from inside it, found free and released, can become the source port of any
/// outbound connection before the node binds it (a discovery spec's bootstrap port failed so,
/// "address already in use", while other test assemblies ran). Each candidate is bound once to
/// check that nothing listens on it, and claimed for this process's life by a lock file that
/// test assemblies running at the same time respect: nodes bind with SO_REUSEADDR (SO_REUSEPORT
/// on Linux), so two nodes given one port would both listen on it.
/// </summary>
public static class Ports
{
    private static readonly HashSet<int> HandedOut = [];
    private static readonly List<FileStream> Claims = [];
    private static readonly string ClaimDirectory = Path.Combine(Path.GetTempPath(), "actors-test-ports");
    private static readonly (int Low, int High) Range = BelowEphemeral();

    public static int Free()
    {
        lock (HandedOut)
        {
            while (true)
            {
                var port = Random.Shared.Next(Range.Low, Range.High);
                if (HandedOut.Contains(port) || !Bindable(port) || !Claimed(port))
                {
                    continue;
                }

                HandedOut.Add(port);
                return port;
            }
        }
    }

    // Held open (an exclusive lock) until the process ends; the file itself may stay behind.
    private static bool Claimed(int port)
    {
        try
        {
            Directory.CreateDirectory(ClaimDirectory);
            Claims.Add(new FileStream(Path.Combine(ClaimDirectory, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite,
                FileShare.None));
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // 12,000 ports below the ephemeral range's start, never below 1024.
    private static (int Low, int High) BelowEphemeral()
    {
        const string rangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
        var start = File.Exists(rangeFile) && int.TryParse(File.ReadAllText(rangeFile).Split((char[]?)null,
            StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(), out var low) ? low : 49152;
        return (Math.Max(1024, start - 12_000), Math.Max(2048, start));
    }
}
