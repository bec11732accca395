using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Expressions;

/// <summary>Work left to an evaluation; spending past zero fails naming the limit.</summary>
internal sealed class StepBudget(long steps, string limit)
{
    private long _spent;

    public void Spend(long cost)
    {
        // A cost that overflowed to a negative number must not refill the budget.
        _spent = cost < 0 || cost > steps ? steps + 1 : _spent + cost;
        if (_spent > steps)
        {
            throw new ExpressionException($"expression needs more than {steps} steps of work ({limit})");
        }
    }
}
