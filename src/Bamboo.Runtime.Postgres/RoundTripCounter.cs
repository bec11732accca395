namespace Bamboo.Runtime.Postgres;

/// <summary>The round trips one store's sessions made to the server: what a test holds a store's batching to.</summary>
internal sealed class RoundTripCounter
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add() => Interlocked.Increment(ref _count);
}
