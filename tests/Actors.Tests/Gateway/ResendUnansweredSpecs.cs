using Actors.Gateway;
using Actors.Hosting;
using Actors.Protocol;
using Actors.Telemetry;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Configuration;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Gateway;

/// <summary>
/// A copy a shard hand-off dropped, whose retry went elsewhere: the gateway itself sends an
/// unanswered entity request again, so its slot frees long before the deadline.
/// </summary>
public sealed class ResendUnansweredSpecs() : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString(Hocon).WithFallback(NodeConfig.Defaults))
{
    private const string Hocon = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.loglevel = INFO
        actors.serialization.allowed-types = ["Actors.Protocol.AddToCounter, Actors.Client", "Actors.Protocol.SleepFor, Actors.Client"]
        """;

    private static readonly NodeLimits Limits = new(MaxKeyLength: 64, MaxRequestIdLength: 64, MaxBatchSize: 10,
        PartialReplyAfter: TimeSpan.FromMilliseconds(50), OffenceLogInterval: TimeSpan.FromMinutes(1), FailureInjection: false);

    // The gateway sweeps every deadline / 20 (here 1 s): a copy is sent again within two sweeps of going unanswered.
    private static readonly AdmissionSettings Settings = new(MaxInFlight: 100, RequestDeadline: TimeSpan.FromSeconds(20),
        MinRetryAfter: TimeSpan.FromMilliseconds(10), MaxRetryAfter: TimeSpan.FromSeconds(2), ResendRetriesAfter: TimeSpan.FromMilliseconds(500),
        QueueWait: TimeSpan.Zero, MaxJoinedRetries: 4);

    [Fact]
    public async Task An_entity_request_left_unanswered_is_sent_again_with_its_token_and_its_one_answer_reaches_the_caller()
    {
        var entities = CreateTestProbe();
        var lane = CreateTestProbe();
        var routes = new Dictionary<Type, Route>
        {
            [typeof(AddToCounter)] = new("entity type counter", entities.Ref, AdmissionLimit.Fixed(10, TestLimits.Fixed)) { ResendRetries = true },
            [typeof(SleepFor)] = new("lane io", lane.Ref, AdmissionLimit.Fixed(10, TestLimits.Fixed)),
        };
        var gateway = Sys.ActorOf(GatewayActor.Props(Limits, Settings, type => routes.GetValueOrDefault(type), new NodeTelemetry()));

        var answer = gateway.Ask<IReply>(new AddToCounter("w1", "k", 1), TimeSpan.FromSeconds(30));
        var sleep = gateway.Ask<IReply>(new SleepFor("s1", 10), TimeSpan.FromSeconds(30));
        var first = entities.ExpectMsg<RoutedRequest>();
        var running = lane.ExpectMsg<RoutedRequest>();

        // The first copy is dropped (no answer): the same copy comes again, well inside the deadline.
        var again = entities.ExpectMsg<RoutedRequest>(TimeSpan.FromSeconds(5));
        again.Token.Should().Be(first.Token);
        again.Request.Should().Be(first.Request);
        // A lane's request runs in this process: a copy would run it twice.
        lane.ExpectNoMsg(TimeSpan.FromSeconds(2.5));

        // Both copies answered (the gateway knows a reply by its token, whoever sends it).
        gateway.Tell(new RoutedReply(again.Token, new CounterValue("w1", "k", 1)), entities.Ref);
        gateway.Tell(new RoutedReply(first.Token, new CounterValue("w1", "k", 1)), entities.Ref);
        gateway.Tell(new RoutedReply(running.Token, new Slept("s1", 10)), lane.Ref);

        (await answer).Should().Be(new CounterValue("w1", "k", 1));
        (await sleep).Should().BeOfType<Slept>();
        (await gateway.Ask<GatewayStats>(GetGatewayStats.Instance, TimeSpan.FromSeconds(10))).InFlight.Should().Be(0);
        routes[typeof(AddToCounter)].InFlight.Should().Be(0, "the second answer to the same copy frees nothing twice");
    }
}
