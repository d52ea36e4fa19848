using Actors.Client;
using Actors.Entities;
using Actors.Gateway;
using Actors.Hosting;
using Akka.Configuration;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Hosting;

/// <summary>hocon/ is the one home of every default: code reads it, and a missing key is named, never read as 0.</summary>
public sealed class SettingsSpecs
{
    [Fact]
    public void Every_setting_the_code_reads_is_in_the_shipped_files()
    {
        var node = NodeConfig.Defaults;

        AdmissionSettings.From(node).MaxRetryAfter.Should().Be(TimeSpan.FromSeconds(2));
        NodeLimits.From(node).MaxBatchSize.Should().Be(1000);
        LimitSettings.From(node).InitialLimit.Should().Be(100);
        EntityTypeSettings.From(node, "a-type-without-its-own-block").IdleTimeout.Should().Be(TimeSpan.FromMinutes(2));
        RetryPolicy.From(ActorsConfig.Client.GetConfig("actors.client.retry")).AttemptTimeout.Should().Be(TimeSpan.FromSeconds(5));
        RetryPolicy.From(ActorsConfig.Client.GetConfig("actors.client.retry")).MaxHintMultiple.Should().Be(4, "client.conf holds the cap");
    }

    [Fact]
    public void A_type_block_overrides_the_entity_defaults_key_by_key()
    {
        var config = ConfigurationFactory.ParseString("actors.entities.cart.idle-timeout = 5m").WithFallback(NodeConfig.Defaults);

        var cart = EntityTypeSettings.From(config, "cart");

        cart.IdleTimeout.Should().Be(TimeSpan.FromMinutes(5));
        cart.SnapshotEvery.Should().Be(100, "from actors.entities.defaults");
        cart.SnapshotSpread.Should().Be(0.5, "from actors.entities.defaults");
    }

    [Theory]
    [InlineData("-0.1")]
    [InlineData("1")]
    public void A_snapshot_spread_outside_0_to_1_is_refused(string spread)
    {
        var config = ConfigurationFactory.ParseString($"actors.entities.cart.snapshot-spread = {spread}").WithFallback(NodeConfig.Defaults);

        var read = () => EntityTypeSettings.From(config, "cart");

        read.Should().Throw<ConfigurationException>().WithMessage("*snapshot-spread*");
    }

    [Fact]
    public void A_missing_setting_is_refused_by_its_path()
    {
        var withoutFiles = ConfigurationFactory.ParseString("actors.admission.max-in-flight = 5");

        var read = () => AdmissionSettings.From(withoutFiles);

        read.Should().Throw<ConfigurationException>().WithMessage("*actors.admission.request-deadline*");
    }
}
