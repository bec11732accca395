namespace Bamboo.Engine.Components;

/// <summary>Lifecycle points at which a hook-enabled service is called (execution.md §13.2).</summary>
public enum ServiceHook
{
    NodeEnter,
    PreExecute,
    PostExecute,
    PreSchedule,
    PostSchedule,
    NodeExecuteFail,
    NodeScheduleFail,
    NodeExecuteException,
    NodeScheduleException,
    NodeFinish,
    PrePauseNode,
    PostPauseNode,
    PreResumeNode,
    PostResumeNode,
    PreRetryNode,
    PostRetryNode,
    PreSkipNode,
    PostSkipNode,
    PreForcedFailActivity,
    PostForcedFailActivity,
    PreCallback,
    PostCallback,
}
