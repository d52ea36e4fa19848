using Npgsql;

namespace Actors.Host.Bench;

/// <summary>
/// What the PostgreSQL server a bench writes to does on commit, read from the server itself
/// (<c>SHOW fsync</c>, <c>SHOW synchronous_commit</c>): figures taken with fsync off are not
/// durable writes, and the bench says so beside them. It also counts the server's commits
/// that wrote anything (<see cref="NextWritingTransactionAsync"/>), so a run reports adds per commit.
/// </summary>
internal sealed record PostgresDurability(bool Fsync, bool SynchronousCommit)
{
    // Not a member the record prints: it carries a password.
    private string _connectionString = "";

    public static async Task<PostgresDurability> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return new PostgresDurability(await OnAsync(connection, "fsync"), await OnAsync(connection, "synchronous_commit"))
        {
            _connectionString = connectionString,
        };
    }

    /// <summary>
    /// The id the server gives its next writing transaction (ids go only to transactions that
    /// change data): two readings apart count the commits that wrote in between, server-wide.
    /// </summary>
    public async Task<long> NextWritingTransactionAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint", connection);
        return (long)(await read.ExecuteScalarAsync())!;
    }

    /// <summary>Every acknowledged write reached the disk before its reply.</summary>
    public bool Durable => Fsync && SynchronousCommit;

    public void AddTo(Dictionary<string, double> figures)
    {
        figures["postgres_fsync_on"] = Fsync ? 1 : 0;
        figures["postgres_synchronous_commit_on"] = SynchronousCommit ? 1 : 0;
    }

    private static async Task<bool> OnAsync(NpgsqlConnection connection, string setting)
    {
        // Setting names are this file's constants, never input.
        await using var show = new NpgsqlCommand($"SHOW {setting}", connection);
        // synchronous_commit = local (or remote_*) still flushes this server's WAL before a commit
        // returns; only off acknowledges first.
        return (string?)await show.ExecuteScalarAsync() is not "off";
    }
}
