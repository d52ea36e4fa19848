using Actors.Security;
using Akka.Event;
using Akka.Hosting;

namespace Actors.Hosting;

public static class TlsHosting
{
    /// <summary>
    /// Akka.Remote over mutual TLS with the cluster's own CA (see <see cref="TlsSettings"/>), and
    /// a warning in the log, from start-up on, while the certificate is within
    /// <c>actors.tls.expiry-warning</c> of expiring (a restart with renewed files picks them up).
    /// </summary>
    public static AkkaConfigurationBuilder WithTls(this AkkaConfigurationBuilder builder, TlsSettings tls)
    {
        builder.AddHocon(TlsSettings.Hocon, HoconAddMode.Prepend);
        // The cluster port: members only. Clients reach the node through its gateway endpoint.
        builder.AddSetup(tls.Setup(ActorsConfig.Wire.GetTimeSpan("actors.log.offence-interval"), Certificates.MemberUnit));
        return builder.AddStartup((system, _) =>
        {
            var warnAhead = system.Settings.Config.GetTimeSpan("actors.tls.expiry-warning");
            if (tls.ExpiresIn < warnAhead)
            {
                system.Log.Warning("This node's TLS certificate ({0}) expires {1:u}, in {2:%d} days: renew it with the `certs` verb and restart",
                    tls.Certificate.Subject, tls.Certificate.NotAfter.ToUniversalTime(), tls.ExpiresIn);
            }
        });
    }
}
