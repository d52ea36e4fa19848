using System.CommandLine;
using System.Globalization;
using Actors.Client;
using Actors.Protocol;
using Spectre.Console;

namespace Actors.Host;

/// <summary>The <c>status</c> verb: members, their load, shards and live entities; <c>--watch</c> refreshes in place.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var contacts = SendCommand.ContactOption(recursive: false);
        var tls = TlsOption.Create(recursive: false, Actors.Security.Certificates.ClientFile);
        var watch = new Option<bool>("--watch") { Description = "Refresh once a second until Ctrl-C" };
        var command = new Command("status", "Print the cluster's members with their load, shards and live entities.") { contacts, tls, watch };
        command.SetAction(async (r, ct) =>
        {
            ActorsClient client;
            try
            {
                client = ActorsClient.Connect(r.GetValue(contacts)!, SendCommand.Quiet,
                    tls: TlsOption.Load(r, tls, Actors.Security.Certificates.ClientFile));
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }

            await using (client)
            {
                var first = await client.SendAsync(new GetClusterStatus(client.NewRequestId()), TimeSpan.FromSeconds(15), ct);
                if (first is not ClusterStatus status)
                {
                    await Console.Error.WriteLineAsync($"error {(first as ErrorReply)?.ToString() ?? first.ToString()}");
                    return 2;
                }

                if (!r.GetValue(watch))
                {
                    foreach (var line in Lines(status))
                    {
                        Console.WriteLine(line);
                    }

                    return 0;
                }

                try
                {
                    if (Console.IsOutputRedirected)
                    {
                        // A file or a pipe: plain lines, one block per poll, no terminal control or wrapping.
                        for (ClusterStatus? next = status; !ct.IsCancellationRequested; next = await NextAsync(client, ct))
                        {
                            if (next is not null)
                            {
                                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"-- {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}"));
                                Lines(next).ToList().ForEach(Console.WriteLine);
                            }
                        }

                        return 0;
                    }

                    await AnsiConsole.Live(Render(status)).StartAsync(async live =>
                    {
                        while (!ct.IsCancellationRequested)
                        {
                            if (await NextAsync(client, ct) is { } next)
                            {
                                live.UpdateTarget(Render(next));
                            }
                        }
                    });
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C: leave the view.
                }

                return 0;
            }
        });
        return command;
    }

    /// <summary>The status a second from now; null if it did not come in time (the next poll tries again).</summary>
    private static async Task<ClusterStatus?> NextAsync(ActorsClient client, CancellationToken ct)
    {
        await Task.Delay(1000, ct);
        return await client.SendAsync(new GetClusterStatus(client.NewRequestId()), TimeSpan.FromSeconds(5), ct) as ClusterStatus;
    }

    /// <summary>One line per member (address, status, load), then its shards and live entities, and lanes.</summary>
    public static IEnumerable<string> Lines(ClusterStatus status)
    {
        foreach (var m in status.Members)
        {
            yield return m.Reachable
                ? string.Create(CultureInfo.InvariantCulture,
                    $"{m.Address} {m.Status} {m.RequestsPerSecond:F1} req/s, p99 {m.P99Ms:F1} ms, {m.InFlight} in flight, {m.Rejected} rejected, {m.Restarts} restarts")
                : $"{m.Address} {m.Status}";
            foreach (var e in m.EntityTypes)
            {
                yield return $"  entity type {e.Name}: {e.Shards} shards, {e.LiveEntities} live entities";
            }

            if (m.Lanes.Length > 0)
            {
                yield return "  lanes: " + string.Join(", ", m.Lanes.Select(l => $"{l.Name} {l.InFlight} in flight of {l.Width}"));
            }
        }
    }

    private static Table Render(ClusterStatus status)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{status.Members.Length} members at {DateTime.Now:HH:mm:ss}");
        foreach (var column in new[] { "member", "status", "req/s", "p99 ms", "in flight", "rejected", "restarts", "shards / live entities", "lanes (in flight / width)" })
        {
            table.AddColumn(column);
        }

        foreach (var m in status.Members)
        {
            var entities = string.Join(", ", m.EntityTypes.Select(e => $"{e.Name} {e.Shards} / {e.LiveEntities}"));
            var lanes = string.Join(", ", m.Lanes.Select(l => $"{l.Name} {l.InFlight} / {l.Width}"));
            table.AddRow(new[]
            {
                m.Address, m.Status,
                m.Reachable ? m.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture) : "-",
                m.Reachable ? m.P99Ms.ToString("F1", CultureInfo.InvariantCulture) : "-",
                m.Reachable ? m.InFlight.ToString(CultureInfo.InvariantCulture) : "-",
                m.Reachable ? m.Rejected.ToString(CultureInfo.InvariantCulture) : "-",
                m.Reachable ? m.Restarts.ToString(CultureInfo.InvariantCulture) : "-",
                entities, lanes,
            }.Select(Markup.Escape).ToArray());
        }

        return table;
    }
}
