using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Components;

/// <summary>Components keyed by code + version, lazy variable types and executable end events, registered explicitly.</summary>
public sealed class ComponentRegistry
{
    public const string DefaultVersion = "legacy";

    private readonly Dictionary<(string Code, string Version), Func<Service>> _services = [];
    private readonly Dictionary<string, Func<ILazyVariable>> _variables = [];
    private readonly Dictionary<string, Func<IExecutableEndEvent>> _endEvents = [];

    public ComponentRegistry AddComponent(string code, Func<Service> factory, string version = DefaultVersion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentNullException.ThrowIfNull(factory);
        _services[(code, version)] = factory;
        return this;
    }

    public ComponentRegistry AddComponent<T>(string code, string version = DefaultVersion)
        where T : Service, new() => AddComponent(code, () => new T(), version);

    public ComponentRegistry AddVariable(string code, Func<ILazyVariable> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        _variables[code] = factory;
        return this;
    }

    public ComponentRegistry AddEndEvent(string code, Func<IExecutableEndEvent> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        _endEvents[code] = factory;
        return this;
    }

    public bool HasComponent(string code, string version = DefaultVersion) => _services.ContainsKey((code, string.IsNullOrEmpty(version) ? DefaultVersion : version));

    public bool HasVariable(string code) => _variables.ContainsKey(code);

    public bool HasEndEvent(string code) => _endEvents.ContainsKey(code);

    /// <summary>What a worker with this registry can run, as <see cref="Runtime.Requirement"/> names.</summary>
    public IReadOnlyCollection<string> Capabilities() =>
    [
        .. _services.Keys.Select(k => Runtime.Requirement.Component(k.Code, k.Version)),
        .. _variables.Keys.Select(Runtime.Requirement.Variable),
        .. _endEvents.Keys.Select(Runtime.Requirement.EndEvent),
    ];

    /// <summary>End-event codes, which the validator accepts as sink types.</summary>
    public IReadOnlyCollection<string> EndEventCodes => _endEvents.Keys;

    public IEnumerable<(string Code, string Version)> Components => _services.Keys;

    public Service CreateService(string code, string version = DefaultVersion) =>
        _services.TryGetValue((code, string.IsNullOrEmpty(version) ? DefaultVersion : version), out var f)
            ? f()
            : throw new NotFoundError($"component {code} (version {version}) does not exist");

    public ILazyVariable CreateVariable(string code) =>
        _variables.TryGetValue(code, out var f) ? f() : throw new NotFoundError($"variable type {code} does not exist");

    public IExecutableEndEvent CreateEndEvent(string code) =>
        _endEvents.TryGetValue(code, out var f) ? f() : throw new NotFoundError($"executable end event {code} does not exist");
}
