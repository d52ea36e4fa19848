using System.Net;
using System.Security.Cryptography;
using System.Text;
using Actors.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Actors.Web;

/// <summary>
/// The dashboard's routes: the page (one file embedded in this assembly: no build step, no CDN),
/// the figures as JSON, and the live feed as server-sent events. With a token configured, every
/// one of them needs it: a bearer header, or the cookie set by opening the page once as
/// <c>/?token=...</c> (an EventSource cannot send headers).
/// </summary>
internal static class Dashboard
{
    private const string Cookie = "actors-dashboard";

    private static readonly byte[] Page = ReadPage();

    public static void Map(WebApplication app, DashboardFeed feed, WebSettings settings, OffenceLog offences, bool https)
    {
        app.Use(async (context, next) =>
        {
            context.Response.Headers["X-Content-Type-Options"] = "nosniff";
            context.Response.Headers["X-Frame-Options"] = "DENY";
            if (context.Request.Path.StartsWithSegments("/health") || settings.Token is not { } token)
            {
                await next(context);
                return;
            }

            if (Matches(context.Request.Query["token"], token))
            {
                context.Response.Cookies.Append(Cookie, token, new CookieOptions
                {
                    HttpOnly = true,
                    Secure = https,
                    SameSite = SameSiteMode.Strict,
                    Path = "/",
                });
                // Always to the page itself: a path from the request could name another site ("//host").
                context.Response.Redirect("/");
                return;
            }

            var bearer = context.Request.Headers.Authorization.ToString();
            if (Matches(bearer.StartsWith("Bearer ", StringComparison.Ordinal) ? bearer["Bearer ".Length..] : null, token) ||
                Matches(context.Request.Cookies[Cookie], token))
            {
                await next(context);
                return;
            }

            offences.Report("a dashboard request without its token", context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
        });

        app.MapGet("/", (HttpContext context) =>
        {
            // Inline script and style only, talking to this origin only.
            context.Response.Headers.ContentSecurityPolicy =
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:";
            return Results.Bytes(Page, "text/html; charset=utf-8");
        });
        app.MapGet("/status.json", async () => await feed.CurrentAsync() is { } current
            ? Results.Text(current, "application/json")
            : Results.Text("""{"error":"the status actor did not answer"}""", "application/json", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/events", async (HttpContext context) =>
        {
            using var viewer = feed.Join();
            if (viewer is null)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsync($"{settings.MaxViewers} dashboard pages are open on this node already; try another member");
                return;
            }

            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            try
            {
                await foreach (var frame in viewer.Frames.ReadAllAsync(done.Token))
                {
                    await context.Response.WriteAsync($"data: {frame}\n\n", done.Token);
                    await context.Response.Body.FlushAsync(done.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // The page closed, or the node stops.
            }
        });
    }

    private static bool Matches(string? offered, string token) =>
        offered is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(offered), Encoding.UTF8.GetBytes(token));

    private static byte[] ReadPage()
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream("Actors.Web.dashboard.html")
                           ?? throw new InvalidOperationException("the dashboard page is not embedded in this assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
