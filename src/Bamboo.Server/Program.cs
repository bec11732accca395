// The server on its own (dotnet run --project src/Bamboo.Server -- --urls ...); bamboo serve hosts the same app.
await Bamboo.Server.BambooServerApp.Create(args).RunAsync();

/// <summary>The entry point, named for WebApplicationFactory&lt;Program&gt; in the tests.</summary>
public partial class Program;
