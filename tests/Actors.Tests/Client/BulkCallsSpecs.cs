using System.Diagnostics;
using Actors.Client;
using Actors.Handlers;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Client;

public sealed class BulkCallsSpecs : NodeSpec
{
    private const string Hocon = """
        actors.lanes.wide { workers = 2, router = round-robin, concurrency-per-worker = 50, max-in-flight = 1000 }
        actors.handlers.track.lane = wide
        """;

    private readonly Tracker _tracker;

    public BulkCallsSpecs(ITestOutputHelper output) : this(output, new Tracker())
    {
    }

    private BulkCallsSpecs(ITestOutputHelper output, Tracker tracker)
        : base(output, Hocon, actors => actors.AddHandler<Track>("track", _ => new TrackHandler(tracker)))
    {
        _tracker = tracker;
    }

    [Fact]
    public async Task An_ordered_map_returns_replies_in_input_order()
    {
        await using var client = ActorsClient.ForGateway(Sys, Gateway);
        var requests = Enumerable.Range(0, 200).Select(i => (IRequest)new SleepFor(client.NewRequestId(), (i * 7) % 20)).ToList();

        var replies = await client.MapAsync(requests, window: 32);

        replies.Select(r => r.RequestId).Should().Equal(requests.Select(r => r.RequestId));
        replies.Should().AllBeOfType<Slept>();
    }

    [Fact]
    public async Task As_completed_yields_every_reply_exactly_once()
    {
        await using var client = ActorsClient.ForGateway(Sys, Gateway);
        var requests = Enumerable.Range(0, 300).Select(i => (IRequest)new SleepFor(client.NewRequestId(), (i * 13) % 15)).ToList();

        var seen = new List<string>();
        await foreach (var reply in client.AsCompletedAsync(requests, window: 25))
        {
            reply.Should().BeOfType<Slept>();
            seen.Add(reply.RequestId);
        }

        seen.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(requests.Select(r => r.RequestId));
    }

    [Fact]
    public async Task Neither_bulk_call_ever_has_more_than_its_window_outstanding()
    {
        await using var client = ActorsClient.ForGateway(Sys, Gateway);

        await client.MapAsync(Enumerable.Range(0, 60).Select(_ => (IRequest)new Track(client.NewRequestId())), window: 5);
        _tracker.MostAtOnce.Should().BeInRange(1, 5);

        _tracker.Reset();
        var count = 0;
        await foreach (var _ in client.AsCompletedAsync(Enumerable.Range(0, 60).Select(_ => (IRequest)new Track(client.NewRequestId())), window: 7))
        {
            count++;
        }

        count.Should().Be(60);
        _tracker.MostAtOnce.Should().BeInRange(1, 7);
    }

    [Fact]
    public async Task A_reader_that_stops_early_stops_the_sending()
    {
        await using var client = ActorsClient.ForGateway(Sys, Gateway);
        var produced = 0;
        IEnumerable<IRequest> Endless()
        {
            while (true)
            {
                Interlocked.Increment(ref produced);
                yield return new SleepFor(client.NewRequestId(), 1);
            }
        }

        var read = 0;
        await foreach (var _ in client.AsCompletedAsync(Endless(), window: 10))
        {
            if (++read == 30)
            {
                break;
            }
        }

        Volatile.Read(ref produced).Should().BeLessThan(30 + 12, "at most a window's worth was sent beyond what was read");
    }

    [Fact]
    public async Task A_batch_with_one_bad_item_answers_every_other_item()
    {
        var key = Id();
        var batch = new RequestBatch(Id(),
        [
            new AddToCounter(Id(), key, 5),
            new AddToCounter(Id(), "", 1),
            new EstimatePi(Id(), 1000),
            new GetCounter(Id(), key),
        ]);

        var reply = await Expect<BatchReply>(batch);

        reply.RequestId.Should().Be(batch.RequestId);
        reply.Items.Select(i => i.RequestId).Should().Equal(batch.Items.Select(i => i.RequestId));
        reply.Items[0].Should().BeOfType<CounterValue>().Which.Total.Should().Be(5);
        reply.Items[1].Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.InvalidRequest);
        reply.Items[2].Should().BeOfType<PiEstimated>();
        reply.Items[3].Should().BeOfType<CounterValue>();
    }

    [Fact]
    public async Task A_batch_over_the_node_limit_is_refused_whole()
    {
        var items = Enumerable.Range(0, 1001).Select(_ => (IRequest)new GetCounter(Id(), "k")).ToArray();

        var error = await ExpectError(new RequestBatch(Id(), items), ErrorCode.InvalidRequest);

        error.Message.Should().Contain("1 to 1000 items");
    }

    public sealed record Track(string RequestId) : IRequest;

    public sealed record Tracked(string RequestId) : IReply;

    private sealed class Tracker
    {
        private int _now;
        private int _most;

        public int MostAtOnce => Volatile.Read(ref _most);

        public void Reset() => Volatile.Write(ref _most, 0);

        public async Task InsideAsync()
        {
            var now = Interlocked.Increment(ref _now);
            int most;
            while ((most = Volatile.Read(ref _most)) < now && Interlocked.CompareExchange(ref _most, now, most) != most)
            {
            }

            await Task.Delay(3);
            Interlocked.Decrement(ref _now);
        }
    }

    private sealed class TrackHandler(Tracker tracker) : IRequestHandler<Track>
    {
        public async ValueTask<IReply> HandleAsync(Track request, CancellationToken cancellationToken)
        {
            await tracker.InsideAsync();
            return new Tracked(request.RequestId);
        }
    }
}

/// <summary>The client's batching and retries, against a probe standing in for the gateway.</summary>
public sealed class ClientBatchingAndRetrySpecs(ITestOutputHelper output) : NodeSpec(output, Hocon)
{
    private const string Hocon = """
        actors.client {
          requesters = 1
          batch { max-size = 10, linger = 200ms }
          retry { max-attempts = 3, min-backoff = 10ms, max-backoff = 1s }
        }
        """;

    [Fact]
    public async Task Small_requests_travel_in_batches_and_each_gets_its_own_reply()
    {
        var gateway = CreateTestProbe();
        await using var client = ActorsClient.ForGateway(Sys, gateway.Ref);
        var requests = Enumerable.Range(0, 10).Select(i => new GetCounter(client.NewRequestId(), $"k{i}")).ToList();

        var calls = requests.Select(r => client.SendAsync(r, TimeSpan.FromSeconds(20))).ToList();
        var received = new List<IRequest>();

        // Ten requests, one requester, batches of ten. A quiet requester sends what it has at once
        // (how many of the ten have reached it by then depends on the machine), at most its
        // pipeline of two messages; the rest gather while those are unanswered and go as one batch.
        var messages = 0;
        var batches = 0;
        while (received.Count < requests.Count)
        {
            messages++;
            switch (gateway.ReceiveOne(TimeSpan.FromSeconds(10)))
            {
                case RequestBatch batch:
                    batches++;
                    received.AddRange(batch.Items);
                    gateway.Reply(new BatchReply(batch.RequestId, batch.Items.Select(Value).ToArray()));
                    break;
                case GetCounter single:
                    received.Add(single);
                    gateway.Reply(Value(single));
                    break;
                case var other:
                    throw new Xunit.Sdk.XunitException($"the gateway got {other?.GetType().Name ?? "nothing"}");
            }
        }

        var replies = await Task.WhenAll(calls);

        messages.Should().BeLessThanOrEqualTo(3);
        batches.Should().BeGreaterThanOrEqualTo(1);
        received.Select(r => r.RequestId).Should().Equal(requests.Select(r => r.RequestId));
        replies.Select(r => r.RequestId).Should().Equal(requests.Select(r => r.RequestId));
        replies.Cast<CounterValue>().Select(v => v.Total).Should().Equal(requests.Select(r => (long)r.Key.Length));

        static IReply Value(IRequest request) =>
            new CounterValue(request.RequestId, ((GetCounter)request).Key, ((GetCounter)request).Key.Length);
    }

    [Fact]
    public async Task A_lone_request_is_sent_after_the_linger_time_without_waiting_for_a_full_batch()
    {
        var gateway = CreateTestProbe();
        await using var client = ActorsClient.ForGateway(Sys, gateway.Ref);
        var request = new GetCounter(client.NewRequestId(), "k");

        var call = client.SendAsync(request, TimeSpan.FromSeconds(20));

        gateway.ExpectMsg<GetCounter>(TimeSpan.FromSeconds(10)).Should().Be(request);
        gateway.Reply(new CounterValue(request.RequestId, "k", 1));
        (await call).Should().BeOfType<CounterValue>();
    }

    [Fact]
    public async Task An_overloaded_refusal_is_retried_no_sooner_than_its_hint_and_given_up_at_the_attempt_limit()
    {
        var gateway = CreateTestProbe();
        await using var client = ActorsClient.ForGateway(Sys, gateway.Ref);
        var request = new AddToCounter(client.NewRequestId(), "k", 1);
        var call = client.SendAsync(request, TimeSpan.FromSeconds(30));

        var clock = Stopwatch.StartNew();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            gateway.ExpectMsg<IRequest>(TimeSpan.FromSeconds(10)).RequestId.Should().Be(request.RequestId);
            if (attempt > 1)
            {
                clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300), "the retry waits at least the hint");
            }

            clock.Restart();
            gateway.Reply(new ErrorReply(request.RequestId, ErrorCode.Overloaded, "busy", TimeSpan.FromMilliseconds(300)));
        }

        var reply = await call;
        reply.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.Overloaded);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Unavailable_is_retried_for_a_read_but_not_for_a_write()
    {
        var gateway = CreateTestProbe();
        await using var client = ActorsClient.ForGateway(Sys, gateway.Ref);

        var write = client.SendAsync(new UnsafeWrite(client.NewRequestId(), "k"), TimeSpan.FromSeconds(30));
        var sent = gateway.ExpectMsg<IRequest>();
        gateway.Reply(new ErrorReply(sent.RequestId, ErrorCode.Unavailable, "journal down"));
        (await write).Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.Unavailable);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        var read = client.SendAsync(new GetCounter(client.NewRequestId(), "k"), TimeSpan.FromSeconds(30));
        sent = gateway.ExpectMsg<IRequest>();
        gateway.Reply(new ErrorReply(sent.RequestId, ErrorCode.Unavailable, "journal down"));
        gateway.ExpectMsg<IRequest>().RequestId.Should().Be(sent.RequestId);
        gateway.Reply(new CounterValue(sent.RequestId, "k", 3));
        (await read).Should().BeOfType<CounterValue>();
    }

    /// <summary>A keyed write whose entity would not recognise a retry: never retried after Unavailable.</summary>
    public sealed record UnsafeWrite(string RequestId, string Key) : IKeyedRequest;

    [Fact]
    public void Backoff_honours_the_hint_grows_and_stops_at_the_limit()
    {
        var policy = new RetryPolicy(3, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        var overloaded = new ErrorReply("r", ErrorCode.Overloaded, "busy");

        policy.Delay(new GetCounter("r", "k"), overloaded, 1).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(100));
        policy.Delay(new GetCounter("r", "k"), overloaded, 2).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(200));
        policy.Delay(new GetCounter("r", "k"), overloaded with { RetryAfter = TimeSpan.FromSeconds(3) }, 1)
            .Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(3));
        policy.Delay(new GetCounter("r", "k"), overloaded, 3).Should().BeNull();
        policy.Delay(new GetCounter("r", "k"), overloaded with { Code = ErrorCode.InvalidRequest }, 1).Should().BeNull();
        // Idempotent requests (AddToCounter is applied once by its id) are retried after Timeout and Unavailable; others are not.
        policy.Delay(new AddToCounter("r", "k", 1), overloaded with { Code = ErrorCode.Timeout }, 1).Should().NotBeNull();
        policy.Delay(new AddToCounter("r", "k", 1), overloaded with { Code = ErrorCode.Unavailable }, 1).Should().NotBeNull();
        policy.Delay(new UnsafeWrite("r", "k"), overloaded with { Code = ErrorCode.Unavailable }, 1).Should().BeNull();
        policy.Delay(new UnsafeWrite("r", "k"), overloaded with { Code = ErrorCode.Timeout }, 1).Should().BeNull();

        // Only idempotent requests get a per-attempt timeout; the others wait the whole call.
        var withAttempts = policy with { AttemptTimeout = TimeSpan.FromSeconds(5) };
        withAttempts.AttemptTimeoutFor(new AddToCounter("r", "k", 1)).Should().Be(TimeSpan.FromSeconds(5));
        withAttempts.AttemptTimeoutFor(new UnsafeWrite("r", "k")).Should().BeNull();
    }
}
