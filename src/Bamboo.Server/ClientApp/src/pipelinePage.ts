// One pipeline: its graph coloured by state and kept live by the event stream, the node panel, and the
// pipeline-level actions (pause, resume, revoke).

import { api, type EngineResult, type NodeView, type PipelineView, type Tree } from "./api";
import { h } from "./dom";
import { PipelineStream } from "./events";
import { age, stateFamily, stateLabel, timestamp } from "./format";
import { PipelineGraph, indexTree, type TreeIndex } from "./graph";
import { NodePanel } from "./nodePanel";

export function pipelinePage(root: HTMLElement, id: string, signal: AbortSignal): void {
  new PipelinePage(root, id, signal).start();
}

const Terminal = new Set(["FINISHED", "REVOKED"]);

class PipelinePage {
  private tree: Tree | null = null;
  private index: TreeIndex | null = null;
  private view: PipelineView | null = null;
  private readonly states = new Map<string, string | null>();
  private readonly expanded = new Set<string>();
  private readonly graph: PipelineGraph;
  private readonly panel: NodePanel;
  private readonly head = h("header.pipeline-head");
  private readonly banner = h("div.banners");
  private readonly live = h("span.live", { "data-testid": "live-status" });
  private readonly canvas = h("div.canvas", { "data-testid": "graph" });
  private readonly panelHost = h("aside.panel", { hidden: true, "data-testid": "node-panel" });
  private notice: { ok: boolean; text: string } | null = null;
  /** What is wrong with the live stream, and with the last read of the run. */
  private problem: string | null = null;
  private readProblem: string | null = null;
  private refreshTimer = 0;
  private pendingConfirm = false;
  private stream: PipelineStream | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly id: string,
    private readonly signal: AbortSignal,
  ) {
    this.graph = new PipelineGraph(this.canvas, {
      onSelect: (nodeId) => this.select(nodeId),
      onToggle: (nodeId) => this.toggle(nodeId),
    });
    this.panel = new NodePanel(this.panelHost, {
      index: () => this.index,
      onChanged: () => this.changed(),
      onClose: () => this.select(null),
    });
  }

  start(): void {
    const zoom = h("div.zoom", null,
      h("button.icon", { type: "button", title: "Zoom out", onclick: () => this.graph.zoom(1 / 1.2) }, "−"),
      h("button", { type: "button", title: "Fit to width", onclick: () => this.graph.fitByHand() }, "Fit"),
      h("button.icon", { type: "button", title: "Zoom in", onclick: () => this.graph.zoom(1.2) }, "+"));
    this.root.replaceChildren(
      h("div.page.pipeline-page", null,
        h("nav.crumbs", null, h("a", { href: "/", "data-link": true }, "← Pipelines")),
        this.head,
        this.banner,
        h("div.workspace", null, h("div.canvas-wrap", null, h("div.canvas-bar", null, legend(), this.live, zoom), this.canvas), this.panelHost)));
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && this.panel.current) {
        this.select(null);
      }
    };
    document.addEventListener("keydown", onKey);
    this.signal.addEventListener("abort", () => {
      document.removeEventListener("keydown", onKey);
      clearTimeout(this.refreshTimer);
    });
    this.head.append(h("h1", null, "Loading…"));
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [tree, view] = await Promise.all([api.tree(this.id, this.signal), api.pipeline(this.id, this.signal)]);
      this.tree = tree;
      this.index = indexTree(tree);
      this.applyView(view);
      this.expandTowards(view.outcome?.nodes ?? []);
    } catch (error) {
      if (!this.signal.aborted) {
        this.head.replaceChildren(h("h1", null, this.id));
        this.banner.replaceChildren(h("div.notice.bad", { role: "alert", "data-testid": "page-problem" }, error instanceof Error ? error.message : String(error)));
      }
      return;
    }
    // The panel and the stream need no layout: they start while ELK places the nodes.
    const selected = new URLSearchParams(location.search).get("node");
    if (selected) {
      this.select(selected);
    }
    this.stream = new PipelineStream(this.id, {
      onOpen: () => this.drawLive(true),
      onState: (event) => {
        this.states.set(event.node_id, event.state);
        this.graph.setState(event.node_id, event.state);
        if (event.node_id === this.id && this.view) {
          this.view = { ...this.view, state: event.state };
          this.drawHead();
        }
        this.scheduleReload();
      },
      onEnd: (event) => {
        void this.reload();
        const end = String(event.end ?? "").toLowerCase();
        return end !== "finished" && end !== "revoked";
      },
      onProblem: (message) => {
        this.problem = message;
        this.drawLive();
        this.drawBanner();
      },
    }, this.signal);
    this.stream.start();
    this.canvas.dataset["layout"] = "pending";
    await this.drawGraph();
    this.canvas.dataset["layout"] = "done";
  }

  /** An action was accepted: read the run now, and follow it again if its stream had ended. */
  private changed(): void {
    this.stream?.restart();
    void this.reload();
  }

  /** Reads the pipeline view (states, outcome) and the selected node again. */
  private async reload(): Promise<void> {
    clearTimeout(this.refreshTimer);
    try {
      const view = await api.pipeline(this.id, this.signal);
      this.readProblem = null;
      this.applyView(view);
      await this.panel.refresh();
    } catch (error) {
      if (!this.signal.aborted) {
        this.readProblem = error instanceof Error ? error.message : String(error);
        this.drawBanner();
      }
    }
  }

  /** State events come in bursts; the view and the panel are read once the burst is over. */
  private scheduleReload(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => void this.reload(), 250);
  }

  private applyView(view: PipelineView): void {
    this.view = view;
    for (const node of view.nodes) {
      this.states.set(node.id, node.state);
      this.graph.setState(node.id, node.state);
    }
    this.states.set(view.id, view.state);
    this.drawHead();
    this.drawBanner();
  }

  private async drawGraph(): Promise<void> {
    if (this.tree && this.index) {
      await this.graph.render(this.tree, this.index, this.expanded, this.states);
    }
  }

  /** Opens the subprocesses that hold the given nodes, so the nodes that matter are on screen. */
  private expandTowards(nodes: NodeView[]): void {
    for (const node of nodes) {
      let pipelineId = this.index?.nodes.get(node.id)?.pipelineId;
      while (pipelineId && pipelineId !== this.tree?.id) {
        this.expanded.add(pipelineId);
        pipelineId = this.index?.nodes.get(pipelineId)?.pipelineId;
      }
    }
  }

  private toggle(nodeId: string): void {
    if (this.expanded.has(nodeId)) {
      this.expanded.delete(nodeId);
    } else {
      this.expanded.add(nodeId);
    }
    void this.drawGraph();
  }

  private select(nodeId: string | null): void {
    this.graph.select(nodeId);
    const url = new URL(location.href);
    if (nodeId) {
      url.searchParams.set("node", nodeId);
    } else {
      url.searchParams.delete("node");
    }
    history.replaceState(history.state, "", url);
    this.root.querySelector(".workspace")?.classList.toggle("with-panel", nodeId !== null);
    void this.panel.show(nodeId);
  }

  private drawHead(): void {
    const view = this.view;
    if (!view) {
      return;
    }
    const nodes = view.nodes.filter((n) => n.kind !== "Pipeline");
    const finished = nodes.filter((n) => n.state === "FINISHED").length;
    const actions: HTMLElement[] = [];
    if (["RUNNING", "READY", "CREATED"].includes(view.state)) {
      actions.push(this.actionButton("Pause", "", "pause"));
    }
    if (view.state === "SUSPENDED") {
      actions.push(this.actionButton("Resume", "primary", "resume"));
    }
    if (!Terminal.has(view.state)) {
      actions.push(this.pendingConfirm
        ? this.actionButton("Confirm revoke", "danger", "revoke")
        : h("button.danger-outline", { type: "button", "data-action": "revoke-ask", onclick: () => this.askRevoke() }, "Revoke…"));
    }
    this.head.replaceChildren(
      h("div.title", null,
        h("h1", null, view.name || view.id),
        h("span", { class: `badge large state-${stateFamily(view.state)}`, "data-testid": "pipeline-state", "data-state": view.state }, stateLabel(view.state))),
      h("div.meta", null,
        h("code", null, view.id),
        h("span", { title: timestamp(view.created_at) }, `created ${age(view.created_at)} ago`),
        h("span", null, `${finished} / ${nodes.length} nodes finished`)),
      h("div.toolbar", null, actions));
  }

  private askRevoke(): void {
    this.pendingConfirm = true;
    this.drawHead();
    window.setTimeout(() => {
      this.pendingConfirm = false;
      this.drawHead();
    }, 5000);
  }

  private actionButton(text: string, variant: string, action: "pause" | "resume" | "revoke"): HTMLElement {
    return h("button", {
      type: "button",
      class: variant,
      "data-action": `pipeline-${action}`,
      onclick: async (event: Event) => {
        (event.currentTarget as HTMLButtonElement).disabled = true;
        this.pendingConfirm = false;
        let answer: EngineResult;
        try {
          answer = await api.pipelineAction(this.id, action);
        } catch (error) {
          this.notice = { ok: false, text: `${text} failed: ${error instanceof Error ? error.message : String(error)}` };
          this.drawBanner();
          this.drawHead();
          return;
        }
        this.notice = answer.result
          ? { ok: true, text: `${text}: accepted.` }
          : { ok: false, text: `${text} refused by the engine: ${answer.message || "no reason given"}` };
        if (answer.result) {
          this.stream?.restart();
        }
        await this.reload();
      },
    }, text);
  }

  private drawBanner(): void {
    const parts: HTMLElement[] = [];
    for (const problem of new Set([this.problem, this.readProblem])) {
      if (problem) {
        parts.push(h("div.notice.bad", { role: "alert", "data-testid": "page-problem" }, problem));
      }
    }
    if (this.notice) {
      parts.push(h(`div.notice.${this.notice.ok ? "good" : "bad"}`, { role: "status", "data-testid": "pipeline-notice" }, this.notice.text,
        h("button.icon.small", { type: "button", "aria-label": "Dismiss", onclick: () => { this.notice = null; this.drawBanner(); } }, "×")));
    }
    const outcome = this.view?.outcome;
    const end = (outcome?.end ?? "").replace(/_/g, "").toLowerCase();
    const stops: Record<string, [string, string]> = {
      failed: ["bad", "Stopped at a failed node"],
      waitingforcallback: ["info", "Waiting for a callback"],
      suspended: ["warn", "Paused"],
      waitingforworker: ["warn", "Waiting for a worker that has the component"],
    };
    // No requirement: the tasks need any worker, and none is running on the store.
    const stop = end === "waitingforworker" && outcome?.requirements.length === 0 ? ["warn", "Waiting for a worker: none is running"] as [string, string] : stops[end];
    if (outcome && stop) {
      const chips = outcome.nodes.map((node) =>
        h("button.chip", { type: "button", onclick: () => { this.expandTowards([node]); void this.drawGraph().then(() => this.select(node.id)); } },
          node.name || node.id));
      parts.push(h(`div.notice.${stop[0]}`, { "data-testid": "outcome" }, `${stop[1]}${chips.length ? ":" : ""}`, ...chips,
        outcome.requirements.length ? h("span.muted", null, ` (${outcome.requirements.join("; ")})`) : null));
    }
    this.banner.replaceChildren(...parts);
  }

  private drawLive(connected = false): void {
    this.live.textContent = this.problem ? "○ not live" : connected || this.live.textContent ? "● live" : "";
    this.live.classList.toggle("off", this.problem !== null);
    this.live.title = this.problem ?? "Updates arrive as the engine moves";
  }
}

function legend(): HTMLElement {
  const entries: [string, string][] = [
    ["pending", "Not started"], ["running", "Running"], ["finished", "Finished"], ["failed", "Failed"], ["paused", "Paused"], ["revoked", "Revoked"],
  ];
  return h("div.legend", null, entries.map(([family, label]) => h("span.legend-item", null, h(`i.swatch.state-${family}`), label)));
}
