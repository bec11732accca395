return await Bamboo.Cli.CliApp.RunAsync(args);
