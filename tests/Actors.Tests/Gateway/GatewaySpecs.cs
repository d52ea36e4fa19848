using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Gateway;

public sealed class GatewaySpecs(ITestOutputHelper output) : NodeSpec(output, GatewaySpecsHocon)
{
    private const string GatewaySpecsHocon = "actors.limits.max-key-length = 16";

    [Fact]
    public async Task An_empty_key_is_invalid()
    {
        (await ExpectError(new AddToCounter(Id(), "", 1), ErrorCode.InvalidRequest)).Message.Should().Contain("key");
        await ExpectError(new GetCounter(Id(), null!), ErrorCode.InvalidRequest);
    }

    [Fact]
    public async Task A_key_over_the_limit_is_invalid()
    {
        var error = await ExpectError(new AddToCounter(Id(), new string('k', 17), 1), ErrorCode.InvalidRequest);

        error.Message.Should().Contain("limit is 16");
        (await Expect<CounterValue>(new AddToCounter(Id(), new string('k', 16), 1))).Total.Should().Be(1);
    }

    [Fact]
    public async Task A_missing_request_id_is_invalid()
    {
        var error = await Expect<ErrorReply>(new EstimatePi("", 10));

        error.Code.Should().Be(ErrorCode.InvalidRequest);
        error.Message.Should().Contain("request id");
    }

    [Fact]
    public async Task A_request_type_nobody_registered_is_unknown()
    {
        var error = await ExpectError(new NobodyHandlesThis(Id()), ErrorCode.UnknownRequest);

        error.Message.Should().Contain(nameof(NobodyHandlesThis));
    }

    [Fact]
    public async Task Something_that_is_not_a_request_is_dropped_with_one_warning_and_the_gateway_keeps_serving()
    {
        await EventFilter.Warning(contains: "not a request").ExpectOneAsync(() =>
        {
            Gateway.Tell("junk", TestActor);
            return Task.CompletedTask;
        });

        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        await Expect<PiEstimated>(new EstimatePi(Id(), 1000));
    }

    public sealed record NobodyHandlesThis(string RequestId) : IRequest;
}
