using System.Net;
using System.Net.Sockets;

namespace Actors.TestSupport;

/// <summary>
/// Free loopback ports for nodes under test: bound and released at once, and never one handed
/// out before in this process. The kernel may offer a released port again, and nodes bind with
/// SO_REUSEADDR, so two nodes started at once on one port would both listen.
/// </summary>
public static class Ports
{
    private static readonly HashSet<int> HandedOut = [];

    public static int Free()
    {
        lock (HandedOut)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
