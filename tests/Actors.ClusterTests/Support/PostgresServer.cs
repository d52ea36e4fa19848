using System.Diagnostics;
using Npgsql;
using Xunit;

namespace Actors.ClusterTests.Support;

/// <summary>
/// A PostgreSQL server for the tests, started by the tests themselves: a private cluster made by
/// <c>initdb</c> in a temp folder, on a free port, bound to 127.0.0.1 only, stopped (by its own
/// pg_ctl) when the tests end. As root it runs as the <c>postgres</c> user, which the server
/// package creates. With <c>ACTORS_TEST_POSTGRES</c> set to a connection string of a server
/// that allows CREATE DATABASE, that server is used instead and nothing is started.
/// Each test gets a database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string ExistingServerVariable = "ACTORS_TEST_POSTGRES";

    private readonly bool? _fsync;
    private string? _folder;
    private string? _binaries;
    private string _admin = "";

    /// <summary>The tests' server: fsync off (the tests kill nodes, never this server).</summary>
    public PostgresServer()
    {
    }

    // Private: a collection fixture may have only one public constructor.
    private PostgresServer(bool fsync) => _fsync = fsync;

    /// <summary>A server of its own (never the one <see cref="ExistingServerVariable"/> names), with fsync as given.</summary>
    /// <param name="fsync">On for the spec that checks what durability the bench runs with.</param>
    public static PostgresServer Own(bool fsync) => new(fsync);

    /// <summary>What the tests say when there is no PostgreSQL to start.</summary>
    private const string Missing =
        "PostgreSQL server binaries not found (looked for /usr/lib/postgresql/*/bin/initdb and pg_config --bindir). " +
        "Install them (Debian: apt-get install -y postgresql) or set " + ExistingServerVariable + " to a server's connection string.";

    public async Task InitializeAsync()
    {
        if (_fsync is null && Environment.GetEnvironmentVariable(ExistingServerVariable) is { Length: > 0 } existing)
        {
            _admin = existing;
            return;
        }

        _binaries = FindBinaries() ?? throw new InvalidOperationException(Missing);
        _folder = Path.Combine(Path.GetTempPath(), "actors-postgres", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        if (Environment.UserName == "root")
        {
            // initdb refuses to run as root; the server package's own user owns the folder instead.
            // Not recursive: other specs' servers live beside it, and their files come and go.
            await RunAsync("chown", ["postgres", Path.GetDirectoryName(_folder)!, _folder]);
        }

        var data = Path.Combine(_folder, "data");
        await RunPostgresToolAsync("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
        var port = HostProcess.FreePort();
        // Loopback only, sockets in our folder.
        await RunPostgresToolAsync("pg_ctl", ["-D", data, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60", "-o",
            $"-p {port} -c listen_addresses=127.0.0.1 -k {_folder} -c max_connections=400 -c fsync={(_fsync == true ? "on" : "off")}", "start"]);
        _admin = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "actors_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(_admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_admin) { Database = name, MaxPoolSize = 50 }.ConnectionString;
    }

    /// <summary>
    /// The id the server gives the next transaction that writes (xids are assigned only to
    /// transactions that change data, at once and server-wide): the difference between two
    /// readings counts the writing transactions in between, with none of pg_stat's reporting lag.
    /// </summary>
    public Task<long> NextWritingTransactionAsync() =>
        CountAsync(_admin, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint");

    /// <summary>The count <paramref name="sql"/> reads (its first column of its first row) on the database at <paramref name="connection"/>.</summary>
    public static async Task<long> CountAsync(string connection, string sql)
    {
        await using var open = new NpgsqlConnection(connection);
        await open.OpenAsync();
        await using var count = new NpgsqlCommand(sql, open);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Closes a database to connections (its open ones are ended) or opens it again: the journal
    /// becomes unreachable for the nodes on it, and only for them.
    /// </summary>
    public async Task SetConnectionsAllowedAsync(string connectionString, bool allowed)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var alter = new NpgsqlCommand($"ALTER DATABASE {database} ALLOW_CONNECTIONS {(allowed ? "true" : "false")}", connection);
        await alter.ExecuteNonQueryAsync();
        if (!allowed)
        {
            await using var end = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @name", connection);
            end.Parameters.AddWithValue("name", database);
            await end.ExecuteNonQueryAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_folder is null || _binaries is null)
        {
            return;
        }

        try
        {
            await RunPostgresToolAsync("pg_ctl", ["-D", Path.Combine(_folder, "data"), "-m", "fast", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // pg_ctl could not stop it: end the server we started, by the PID it recorded, before its folder goes.
            KillStartedServer();
            throw;
        }
        finally
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temp folder.
            }
        }
    }

    private void KillStartedServer()
    {
        var pidFile = Path.Combine(_folder!, "data", "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid))
        {
            try
            {
                using var server = Process.GetProcessById(pid);
                server.Kill();
                server.WaitForExit(10_000);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    private static string? FindBinaries()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(v => Path.Combine(v, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        if (installed is not null)
        {
            return installed;
        }

        try
        {
            using var pgConfig = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true });
            var bin = pgConfig?.StandardOutput.ReadToEnd().Trim();
            pgConfig?.WaitForExit();
            return bin is { Length: > 0 } && File.Exists(Path.Combine(bin, "initdb")) ? bin : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private Task RunPostgresToolAsync(string tool, string[] args)
    {
        var path = Path.Combine(_binaries!, tool);
        return Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", path, .. args])
            : RunAsync(path, args);
    }

    private static async Task RunAsync(string file, string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await errors}{await output}");
        }
    }
}

/// <summary>
/// The cluster-on-PostgreSQL specs assert their slowest call (a rolling restart's must stay under
/// 10 s): they run alone, after the specs that run side by side, so the figure is the cluster's,
/// not that of a bench or a flood in the next process (measured: 11.9 s beside them, 5.8 s alone).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
