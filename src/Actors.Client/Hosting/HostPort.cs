namespace Actors.Hosting;

/// <summary>The <c>host:port</c> a contact, seed or endpoint is given as.</summary>
public static class HostPort
{
    /// <summary>Parses <c>host:port</c>; throws <see cref="FormatException"/> with a clear message.</summary>
    public static (string Host, int Port) Parse(string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"'{value}' is not host:port (e.g. 127.0.0.1:4053)");
        }

        return (value[..colon], port);
    }
}
