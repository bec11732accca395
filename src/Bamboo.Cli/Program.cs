// Ctrl-C and SIGTERM cancel the command's token; workers then get EngineOptions.ShutdownGrace to finish what is in
// flight and hand the rest back, so the process is given that long plus a margin before it is ended.
var configuration = new System.CommandLine.InvocationConfiguration
{
    ProcessTerminationTimeout = new Bamboo.Engine.Runtime.EngineOptions().ShutdownGrace + TimeSpan.FromSeconds(5),
    EnableDefaultExceptionHandler = false,
};
try
{
    var parse = Bamboo.Cli.CliApp.Build().Parse(args);
    var code = await parse.InvokeAsync(configuration);
    // A usage error (unknown option, missing argument) prints what is wrong and exits 2, as every bad input does.
    return parse.Errors.Count > 0 ? Bamboo.Cli.Commands.ExitCodes.Refused : code;
}
catch (Bamboo.Engine.Exceptions.StoreOpenException ex)
{
    // One line, no stack trace: the path is not a store this command may open (a folder, another application's file,
    // a missing store for a command that only reads, another schema version). The file was left as it was.
    await Console.Error.WriteLineAsync($"store: {ex.Message}");
    return Bamboo.Cli.Commands.ExitCodes.Refused;
}
catch (System.Data.Common.DbException ex)
{
    // One line, no stack trace: a full disk, an I/O error. What committed is safe.
    await Console.Error.WriteLineAsync($"store error: {ex.Message}");
    return Bamboo.Cli.Commands.ExitCodes.StoreFailed;
}
