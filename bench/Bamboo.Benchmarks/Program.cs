using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "quick-workers")
{
    await Bamboo.Benchmarks.WorkerProcessRunner.RunAsync(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "quick")
{
    await Bamboo.Benchmarks.QuickRunner.RunAsync(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
