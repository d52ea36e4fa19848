using System.CommandLine;
using Actors.Security;

namespace Actors.Host;

/// <summary>The <c>certs</c> verb: a cluster's own CA, a node certificate and a client certificate.</summary>
internal static class CertsCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory to write into", Required = true };
        var hosts = new Option<string>("--hosts")
        {
            Description = "Comma-separated names and addresses the node certificate is for",
            DefaultValueFactory = _ => "127.0.0.1,localhost",
        };
        var days = new Option<int>("--days") { Description = "Validity in days", DefaultValueFactory = _ => 365 };
        var command = new Command("certs", "Create a private cluster CA (ca.crt, ca.pfx), a node certificate (node.pfx) and a client " +
                                           $"certificate (client.pfx); password from ${Certificates.PasswordVariable}, empty if unset.")
        {
            output, hosts, days,
        };
        command.SetAction(r =>
        {
            var written = Certificates.Create(r.GetValue(output)!.FullName,
                r.GetValue(hosts)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                TimeSpan.FromDays(r.GetValue(days)));
            foreach (var path in written)
            {
                Console.WriteLine(path);
            }

            Console.WriteLine("Give each node ca.crt and node.pfx (--tls DIR), each client ca.crt and client.pfx; keep ca.pfx elsewhere.");
            return 0;
        });
        return command;
    }
}
