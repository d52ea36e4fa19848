using Actors.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.Hosting;
using Shop.Contracts;
using Shop.Node;

// A team's own node: the runtime plus its cart entity type and its pricing handler.
// dotnet run --project samples/Shop.Node -- --port 4070 [--data DIR]   (its SQLite journal: DIR/shop.db, default data/)
var port = args.SkipWhile(a => a != "--port").Skip(1).Select(int.Parse).DefaultIfEmpty(4070).First();
var data = args.SkipWhile(a => a != "--data").Skip(1).DefaultIfEmpty("data").First();
var builder = Host.CreateApplicationBuilder();
builder.Services.AddAkka(ActorsHostingExtensions.SystemName, akka => akka
    // Settings over hocon/node.conf: the pricing handler awaits, so it runs on the io lane.
    .AddHocon("actors.handlers.quote.lane = io", HoconAddMode.Prepend)
    .AddActors(new NodeOptions { Port = port, SqlitePath = Path.Combine(data, "shop.db") }, actors => actors
        .AddHandler<QuotePrice>("quote", _ => new QuoteHandler())
        .AddEntityType("cart", _ => new CartHandler())));
var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"Shop node up: clients at 127.0.0.1:{port}");
await host.WaitForShutdownAsync();
