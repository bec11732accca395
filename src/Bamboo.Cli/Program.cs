return await Bamboo.Cli.CliApp.Build().Parse(args).InvokeAsync();
