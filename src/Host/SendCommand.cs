using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Actors.Client;
using Actors.Protocol;

namespace Actors.Host;

/// <summary>The <c>send</c> verb: one request from a separate actor system, printed as its reply or error.</summary>
internal static class SendCommand
{
    /// <summary>A one-shot command prints its own result; the client system's connection chatter stays out of it.</summary>
    public static readonly Akka.Configuration.Config Quiet =
        Akka.Configuration.ConfigurationFactory.ParseString("akka { loglevel = ERROR, stdout-loglevel = ERROR }");

    private static readonly Option<string[]> Contacts = ContactOption(recursive: true);
    private static readonly Option<DirectoryInfo?> Tls = TlsOption.Create(recursive: true, Actors.Security.Certificates.ClientFile);

    /// <summary>The `--contact host:port` option every client verb takes.</summary>
    public static Option<string[]> ContactOption(bool recursive) => new("--contact")
    {
        Description = "Node host:port, repeatable (default 127.0.0.1:4053)",
        Recursive = recursive,
        DefaultValueFactory = _ => ["127.0.0.1:4053"],
    };

    private static readonly Option<double> TimeoutSeconds = new("--timeout")
    {
        Description = "Seconds to wait for the reply (default 30)",
        Recursive = true,
        DefaultValueFactory = _ => 30,
    };

    public static Command Create()
    {
        var send = new Command("send", "Send one request to a node and print the reply; exits non-zero on an error reply.");
        send.Options.Add(Contacts);
        send.Options.Add(Tls);
        send.Options.Add(TimeoutSeconds);

        var samples = new Option<long>("--samples") { Description = "Random points to draw", DefaultValueFactory = _ => 1_000_000 };
        var pi = new Command("pi", "Estimate pi by Monte Carlo on the cpu lane.") { samples };
        pi.SetAction((r, ct) => SendAsync(r, id => new EstimatePi(id, r.GetValue(samples)), ct));
        send.Subcommands.Add(pi);

        var ms = new Option<int>("--ms") { Description = "Milliseconds to await", DefaultValueFactory = _ => 50 };
        var sleep = new Command("sleep", "Await on the io lane without holding a thread (a stand-in for a remote call).") { ms };
        sleep.SetAction((r, ct) => SendAsync(r, id => new SleepFor(id, r.GetValue(ms)), ct));
        send.Subcommands.Add(sleep);

        var key = new Argument<string>("key") { Description = "Counter key" };
        var amount = new Argument<long>("amount") { Description = "Amount to add (may be negative: put `--` before it)" };
        var add = new Command("add", "Add to a counter and print its new total.") { key, amount };
        add.SetAction((r, ct) => SendAsync(r, id => new AddToCounter(id, r.GetValue(key)!, r.GetValue(amount)), ct));
        var get = new Command("get", "Print a counter's total.") { key };
        get.SetAction((r, ct) => SendAsync(r, id => new GetCounter(id, r.GetValue(key)!), ct));
        var counter = new Command("counter", "The built-in persisted counter entity type.") { add, get };
        send.Subcommands.Add(counter);
        return send;
    }

    private static async Task<int> SendAsync(ParseResult result, Func<string, IRequest> request, CancellationToken ct)
    {
        ActorsClient client;
        try
        {
            client = ActorsClient.Connect(result.GetValue(Contacts)!, Quiet,
                tls: TlsOption.Load(result, Tls, Actors.Security.Certificates.ClientFile));
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }

        await using (client)
        {
            var clock = Stopwatch.StartNew();
            var reply = await client.SendAsync(request(client.NewRequestId()), TimeSpan.FromSeconds(result.GetValue(TimeoutSeconds)), ct);
            var ms = clock.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture);
            switch (reply)
            {
                case PiEstimated p:
                    Console.WriteLine(FormattableString.Invariant($"pi ≈ {p.Estimate:F6} ({p.Samples} samples, {ms} ms)"));
                    return 0;
                case Slept s:
                    Console.WriteLine(FormattableString.Invariant($"slept {s.Milliseconds} ms ({ms} ms round trip)"));
                    return 0;
                case CounterValue c:
                    Console.WriteLine(FormattableString.Invariant($"counter {c.Key} = {c.Total} ({ms} ms)"));
                    return 0;
                case ErrorReply e:
                    var retry = e.RetryAfter is { } after ? FormattableString.Invariant($" (retry after {after.TotalMilliseconds:F0} ms)") : "";
                    await Console.Error.WriteLineAsync($"error {e.Code}: {e.Message}{retry}");
                    return 2;
                default:
                    Console.WriteLine(reply);
                    return 0;
            }
        }
    }
}
