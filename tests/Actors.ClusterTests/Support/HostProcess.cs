using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace Actors.ClusterTests.Support;

/// <summary>
/// A real <c>Actors.Host</c> process started by a test, which stops only what it started, by
/// its PID: SIGTERM for a graceful stop, kill for a crash. Output lines are kept and echoed to
/// the test log with a prefix.
/// </summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly string _name;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource Seen)> _waiters = [];
    private readonly Lock _gate = new();

    private HostProcess(Process process, ITestOutputHelper output, string name)
    {
        _process = process;
        _output = output;
        _name = name;
    }

    public int Pid => _process.Id;
    public IReadOnlyCollection<string> Stdout => _stdout;
    public IReadOnlyCollection<string> Stderr => _stderr;

    /// <summary>Starts <c>dotnet Actors.Host.dll args…</c> from the test's output folder.</summary>
    public static HostProcess Start(ITestOutputHelper output, string name, params string[] args) =>
        Start(output, name, new Dictionary<string, string>(), args);

    /// <summary>As above, with extra environment variables (e.g. ACTORS_DB_CONNECTION).</summary>
    public static HostProcess Start(ITestOutputHelper output, string name, IReadOnlyDictionary<string, string> environment,
        params string[] args) =>
        Launch(output, name, environment, "Actors.Host.dll", args);

    /// <summary>Starts <c>dotnet <paramref name="dll"/> args…</c>, another program copied to the test's output folder (a sample).</summary>
    public static HostProcess StartProgram(ITestOutputHelper output, string name, string dll, params string[] args) =>
        Launch(output, name, new Dictionary<string, string>(), dll, args);

    private static HostProcess Launch(ITestOutputHelper output, string name, IReadOnlyDictionary<string, string> environment, string dll,
        string[] args)
    {
        var info = new ProcessStartInfo(DotnetPath())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (variable, value) in environment)
        {
            info.Environment[variable] = value;
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new HostProcess(process, output, name);
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data, host._stdout);
        process.ErrorDataReceived += (_, e) => host.OnLine(e.Data, host._stderr);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Runs a short command (e.g. <c>send</c>) to its end and returns its exit code.</summary>
    public static Task<(int ExitCode, HostProcess Process)> RunAsync(ITestOutputHelper output, string name, TimeSpan timeout,
        params string[] args) => RunAsync(output, name, timeout, new Dictionary<string, string>(), args);

    /// <summary>As <see cref="RunAsync(ITestOutputHelper, string, TimeSpan, string[])"/>, with environment variables.</summary>
    public static async Task<(int ExitCode, HostProcess Process)> RunAsync(ITestOutputHelper output, string name, TimeSpan timeout,
        IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var process = Start(output, name, environment, args);
        await process.WaitForExitAsync(timeout);
        return (process._process.ExitCode, process);
    }

    public Task WaitForLineAsync(string text, TimeSpan timeout) =>
        WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), timeout);

    /// <summary>Completes when a line of output (already seen or still to come) matches.</summary>
    public Task WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        TaskCompletionSource seen;
        lock (_gate)
        {
            if (_stdout.Concat(_stderr).Any(match))
            {
                return Task.CompletedTask;
            }

            seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, seen));
        }

        return seen.Task.WaitAsync(timeout);
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        // The parameterless wait also drains the redirected output.
        _process.WaitForExit();
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGTERM: the node's graceful stop (CoordinatedShutdown).</summary>
    public void Terminate()
    {
        if (!_process.HasExited && Kill(_process.Id, Sigterm) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>kill -9: the process dies at once, with no chance to leave the cluster.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            // Process.Kill sends SIGKILL on Unix, to this PID only.
            _process.Kill();
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>A free loopback port for a node, never one handed out before in this process.</summary>
    public static int FreePort() => Actors.TestSupport.Ports.Free();

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private void OnLine(string? line, ConcurrentQueue<string> into)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            into.Enqueue(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }

        try
        {
            _output.WriteLine($"[{_name}] {line}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; its output helper no longer accepts lines.
        }
    }

    private static string DotnetPath() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";

    private const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
