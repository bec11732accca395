namespace Bamboo.Engine.Components.Testkit;

/// <summary>Registers the whole test component kit of testkit.md, plus the two built-in example components.</summary>
public static class TestkitRegistration
{
    /// <summary>bamboo's two example components, plus <c>delay</c> (waits input ms milliseconds).</summary>
    public static ComponentRegistry AddExampleComponents(this ComponentRegistry registry) => registry
        .AddComponent<EmptyNode>("example_component")
        .AddComponent<CopyInputsNode>("pipe_example_component")
        .AddComponent<Builtin.DelayService>("delay");

    public static ComponentRegistry AddTestkit(this ComponentRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .AddExampleComponents()
            .AddComponent<DebugNode>("debug_node")
            .AddComponent<DebugNode>("sub_debug_node")
            .AddComponent<CopyInputsNode>("debug_no_schedule_node")
            .AddComponent("hook_debug_node", () => new HookRecorder(new DebugNode()))
            .AddComponent<ScheduleNode>("schedule_node")
            .AddComponent<SleepTimer>("sleep_timer")
            .AddComponent<LoopCountNode>("loop_count_node")
            .AddComponent<LoopCountScheduleNode>("loop_count_s_node")
            .AddComponent<FailAtSecondNode>("fail_at_second_node")
            .AddComponent<FailCtrlNode>("fail_ctrl_node")
            .AddComponent("hook_fail_ctrl_node", () => new HookRecorder(new FailCtrlNode()))
            .AddComponent("dummy_exec_node", () => new DummyExecNode(false))
            .AddComponent<CallbackNode>("callback_node")
            .AddComponent<DebugCallbackNode>("debug_callback_node")
            .AddComponent("hook_callback_node", () => new HookRecorder(new CallbackNode()))
            .AddComponent<MultiCallbackNode>("multi_callback_node")
            .AddComponent("hook_multi_callback_node", () => new HookRecorder(new MultiCallbackNode()))
            .AddComponent<EmptyNode>("empty_node")
            .AddComponent("interrupt_test", () => new CopyInputsNode(countExecute: true))
            .AddComponent<InterruptRaiseTest>("interrupt_schedule_test")
            .AddComponent("interrupt_dummy_exec_node", () => new DummyExecNode(true))
            .AddComponent<InterruptRaiseTest>("interrupt_raise_test")
            .AddComponent("hook_interrupt_raise_test", () => new HookRecorder(new InterruptRaiseTest()))
            .AddVariable("upper_case", () => new UpperCaseVariable())
            .AddVariable("test_variable", () => new PassThroughVariable())
            .AddVariable("raise_variable", () => new RaiseVariable())
            .AddEndEvent("MyTestEndEvent", () => new PrintingEndEvent())
            .AddEndEvent("MyRaiseEndEvent", () => new RaisingEndEvent());
    }
}
