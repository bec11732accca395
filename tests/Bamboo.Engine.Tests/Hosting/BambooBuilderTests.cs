using System.Text.Json.Nodes;
using Bamboo.Engine.Components;
using Bamboo.Engine.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bamboo.Engine.Tests.Hosting;

/// <summary>What a service of this assembly greets with, given by the container.</summary>
public sealed record Salutation(string Word);

[Component("salute", "2")]
public sealed class SaluteService(Salutation salutation) : Service
{
    public Salutation Salutation { get; } = salutation;

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(true);
}

[Component("hour")]
public sealed class HourVariable : ILazyVariable
{
    public JsonNode? GetValue(JsonNode? value, JsonObject pipelineData) => 12;
}

public sealed class UnmarkedService : Service
{
    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(true);
}

public sealed class BambooBuilderTests
{
    [Fact]
    public void AddComponent_ByItsMark_RegisteredUnderTheMarksCodeAndVersion()
    {
        var builder = new ServiceCollection().AddBambooEngine().AddComponent<SaluteService>();

        Assert.True(builder.Registry.HasComponent("salute", "2"));
        Assert.False(builder.Registry.HasComponent("salute"));
    }

    [Fact]
    public void AddComponent_Unmarked_SaysHowToNameIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddBambooEngine().AddComponent<UnmarkedService>());

        Assert.Contains("has no [Component(\"code\")]", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddComponent<UnmarkedService>(\"code\")", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddComponentsFrom_Assembly_EveryMarkedTypeMadeByTheContainer()
    {
        var services = new ServiceCollection().AddSingleton(new Salutation("ahoy"));
        services.AddBambooEngine().AddComponentsFrom(typeof(SaluteService).Assembly);
        using var provider = services.BuildServiceProvider();

        var registry = provider.GetRequiredService<ComponentRegistry>();

        Assert.Equal("ahoy", Assert.IsType<SaluteService>(registry.CreateService("salute", "2")).Salutation.Word);
        Assert.Equal(12, (int?)registry.CreateVariable("hour").GetValue(null, []));
        Assert.False(registry.HasComponent("unmarked"));
    }

    [Fact]
    public void WithoutWorkers_NoWorkerHostedButTheClientStays()
    {
        var withWorkers = new ServiceCollection();
        withWorkers.AddBambooEngine();
        var without = new ServiceCollection();
        without.AddBambooEngine().WithoutWorkers();

        static bool Hosts(IServiceCollection s) => s.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(BambooWorkerService));
        Assert.True(Hosts(withWorkers));
        Assert.False(Hosts(without));
        Assert.Contains(without, d => d.ServiceType == typeof(Client.BambooClient));
    }

    [Fact]
    public void NoStore_EngineNamesTheCallThatIsMissing()
    {
        var services = new ServiceCollection();
        services.AddBambooEngine();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<BambooEngine>());

        Assert.Contains("call UseSqlite(path) or UsePostgres(connectionString)", error.Message, StringComparison.Ordinal);
    }
}
