using System.CommandLine;
using Actors.Host;

// `node` is the default verb: `Actors.Host` alone starts a node on the embedded defaults.
var root = new RootCommand("Actors: a clustered actor runtime on Akka.NET. Without a verb, runs a node (see `node --help`).");
NodeCommand.AddTo(root);
root.Subcommands.Add(NodeCommand.Create());
root.Subcommands.Add(SendCommand.Create());
root.Subcommands.Add(Actors.Host.Bench.BenchCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(CertsCommand.Create());
return await root.Parse(args).InvokeAsync();
