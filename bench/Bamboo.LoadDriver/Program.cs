// bamboo serve under load: see LoadDriver.cs; arguments: [--url URL] [--clients N] [--starters N] [--seconds S] [--warmup S] [--rate QUERIES_PER_S] [--start-rate RUNS_PER_S] [--direct]
return await Bamboo.LoadDriver.LoadDriver.RunAsync(args);
