// The side panel for one node: what it is and how it stands, its inputs, outputs, error and earlier attempts,
// and exactly the operator actions that its `actions` list offers (GET /api/nodes/{id}).

import { ApiError, api, type EngineResult, type Json, type JsonObject, type NodeDetail } from "./api";
import { h } from "./dom";
import { prettyJson, stateFamily, stateLabel, timestamp } from "./format";
import type { TreeIndex } from "./graph";

export interface PanelContext {
  index(): TreeIndex | null;
  /** An action was accepted: read the pipeline again. */
  onChanged(): void;
  onClose(): void;
}

interface Notice {
  ok: boolean;
  text: string;
}

export class NodePanel {
  private nodeId: string | null = null;
  private detail: NodeDetail | null = null;
  private shown = "";
  private notice: Notice | null = null;
  private busy = false;
  private loadSeq = 0;
  /** Text typed into editors, kept across refreshes while the node stays selected. */
  private drafts = new Map<string, string>();

  constructor(
    private readonly host: HTMLElement,
    private readonly context: PanelContext,
  ) {}

  get current(): string | null {
    return this.nodeId;
  }

  async show(nodeId: string | null): Promise<void> {
    if (nodeId !== this.nodeId) {
      this.nodeId = nodeId;
      this.detail = null;
      this.shown = "";
      this.notice = null;
      this.drafts.clear();
    }
    if (!nodeId) {
      this.host.hidden = true;
      this.host.replaceChildren();
      return;
    }
    this.host.hidden = false;
    if (!this.detail) {
      this.host.replaceChildren(h("div.panel-loading", null, "Loading node…"));
    }
    await this.refresh();
  }

  /** Reads the node again (after a state event or an action) and redraws only when something changed. */
  async refresh(): Promise<void> {
    const nodeId = this.nodeId;
    if (!nodeId) {
      return;
    }
    const seq = ++this.loadSeq;
    try {
      const detail = await api.node(nodeId);
      if (seq !== this.loadSeq || nodeId !== this.nodeId) {
        return;
      }
      this.detail = detail;
      this.draw();
    } catch (error) {
      if (seq !== this.loadSeq) {
        return;
      }
      const message = error instanceof ApiError && error.status === 404
        ? "This node has not been created in the store yet (it has not been reached)."
        : error instanceof Error ? error.message : String(error);
      this.host.replaceChildren(this.header(nodeId), h("div.notice.bad", { role: "alert" }, message));
      this.shown = "";
    }
  }

  private draw(): void {
    const detail = this.detail!;
    const fingerprint = JSON.stringify([detail, this.notice, this.busy]);
    if (fingerprint === this.shown) {
      return;
    }
    this.shown = fingerprint;
    const node = detail.node;
    const scroll = this.host.scrollTop;
    const parts: (HTMLElement | null)[] = [
      this.header(node.id, node.name),
      h("div.panel-state", null,
        h("span", { class: `badge state-${stateFamily(node.state)}`, "data-testid": "node-state" }, stateLabel(node.state)),
        node.skip ? h("span.badge.subtle", null, "skipped") : null,
        node.error_ignored ? h("span.badge.subtle", null, "error ignored") : null),
      h("dl.facts", null,
        fact("Kind", node.kind),
        node.component ? fact("Component", node.component) : null,
        fact("Loop / retry", `${node.loop} / ${node.retry}`),
        fact("Version", node.version ?? "—"),
        fact("Started", timestamp(node.started_at)),
        fact("Archived", timestamp(node.archived_at))),
      detail.error ? h("section.error-box", { role: "alert", "data-testid": "node-error" }, h("h3", null, "Error"), h("pre", null, detail.error)) : null,
      this.notice ? h(`div.notice.${this.notice.ok ? "good" : "bad"}`, { role: "status", "data-testid": "action-notice" }, this.notice.text) : null,
      this.actions(detail),
      jsonSection("Inputs", detail.inputs, "node-inputs"),
      jsonSection("Outputs", detail.outputs, "node-outputs"),
      this.histories(detail),
    ];
    this.host.replaceChildren(...parts.filter((part): part is HTMLElement => part !== null));
    this.host.scrollTop = scroll;
  }

  private header(id: string, name?: string): HTMLElement {
    return h("header.panel-head", null,
      h("div", null, h("h2", null, name || id), h("code.muted", null, id)),
      h("button.icon", { type: "button", title: "Close", "aria-label": "Close node panel", onclick: () => this.context.onClose() }, "×"));
  }

  private actions(detail: NodeDetail): HTMLElement | null {
    const forms = detail.actions.map((action) => this.actionForm(action, detail)).filter((f): f is HTMLElement => f !== null);
    if (forms.length === 0) {
      return null;
    }
    return h("section.actions", { "data-testid": "node-actions" }, h("h3", null, "Actions"), forms);
  }

  private actionForm(action: string, detail: NodeDetail): HTMLElement | null {
    const id = detail.node.id;
    switch (action) {
      case "retry_node": {
        if (detail.node.kind !== "ServiceActivity") {
          // Only an activity has inputs to edit; a gateway or an event runs again as it is.
          return card("Retry", "Run the node again as it is: a gateway evaluates its conditions again.",
            this.button("Retry", "", "retry", () => this.run("Retry", () => api.nodeAction(id, "retry", {}))));
        }
        const initial = prettyJson(rawValues(detail.raw_inputs));
        const editor = this.jsonEditor("retry", initial);
        return card("Retry", "Run the node again. Edit its inputs first if you like (values; ${…} templates render again).",
          editor.element,
          this.button("Retry", "primary", "retry", () => editor.read((data) => this.run(`Retry`, () => api.nodeAction(id, "retry", { data })))));
      }
      case "skip_node":
        return card("Skip", "Mark the node finished without running it, and go on.",
          this.button("Skip", "", "skip", () => this.run("Skip", () => api.nodeAction(id, "skip"))));
      case "skip_exclusive_gateway": {
        const name = `flow-${id}`;
        const choices = detail.flows.map((flow, i) =>
          h("label.choice", null, h("input", { type: "radio", name, value: flow, checked: i === 0 }), this.flowText(flow)));
        return card("Skip gateway", "Choose the one flow to take.", h("div.choices", null, choices),
          this.button("Skip along flow", "", "skip-gateway", (button) => {
            const chosen = button.closest(".card")!.querySelector<HTMLInputElement>(`input[name="${CSS.escape(name)}"]:checked`);
            if (chosen) {
              void this.run("Skip gateway", () => api.nodeAction(id, "skip-gateway", { flow_id: chosen.value }));
            }
          }));
      }
      case "skip_conditional_parallel_gateway": {
        const choices = detail.flows.map((flow) =>
          h("label.choice", null, h("input", { type: "checkbox", value: flow, checked: true }), this.flowText(flow)));
        return card("Skip parallel gateway", `Choose the flows to take (they meet again at ${detail.converge_gateway_id ?? "the converge gateway"}).`,
          h("div.choices", null, choices),
          this.button("Skip along flows", "", "skip-parallel-gateway", (button) => {
            const flowIds = [...button.closest(".card")!.querySelectorAll<HTMLInputElement>("input[type=checkbox]:checked")].map((c) => c.value);
            if (flowIds.length === 0) {
              this.say(false, "Choose at least one flow.");
              return;
            }
            void this.run("Skip parallel gateway", () =>
              api.nodeAction(id, "skip-parallel-gateway", { flow_ids: flowIds, converge_gateway_id: detail.converge_gateway_id }));
          }));
      }
      case "forced_fail_activity": {
        const input = h("input.text", { type: "text", placeholder: "Why (stored as the node's ex_data)", value: this.drafts.get("forced-fail") ?? "", "data-testid": "forced-fail-message" });
        input.addEventListener("input", () => this.drafts.set("forced-fail", input.value));
        return card("Force fail", "Stop the running node and mark it failed.", input,
          this.button("Force fail", "danger", "forced-fail", () =>
            this.run("Force fail", () => api.nodeAction(id, "forced-fail", input.value.trim() ? { ex_data: input.value.trim() } : {}))));
      }
      case "callback": {
        const editor = this.jsonEditor("callback", "{}");
        return card("Callback", "The node waits for a callback: send it data (JSON).", editor.element,
          this.button("Send callback", "primary", "callback", () => editor.read((data) => this.run("Callback", () => api.nodeAction(id, "callback", { data })))));
      }
      case "pause_node_appoint":
        return card("Pause before", "Stop the pipeline here before this node starts.",
          this.button("Pause before this node", "", "pause-node", () => this.run("Pause before", () => api.nodeAction(id, "pause"))));
      case "resume_node_appoint":
        return card("Resume", "Let the pipeline go on into this node.",
          this.button("Resume", "primary", "resume-node", () => this.run("Resume", () => api.nodeAction(id, "resume"))));
      case "retry_subprocess":
        return card("Retry subprocess", "Run the failed subprocess again from its start.",
          this.button("Retry subprocess", "primary", "retry-subprocess", () => this.run("Retry subprocess", () => api.nodeAction(id, "retry-subprocess"))));
      default:
        return null;
    }
  }

  /** "f3 → notify (${size} >= 100)": a flow as the person choosing it reads it. */
  private flowText(flowId: string): HTMLElement {
    const flow = this.context.index()?.flows.get(flowId);
    const target = flow ? this.context.index()?.nodes.get(flow.target) : undefined;
    return h("span", null,
      h("code", null, flowId),
      target ? ` → ${target.node.name || target.node.id}` : "",
      flow?.condition ? h("span.muted", null, `  ${flow.condition}`) : null,
      flow?.isDefault ? h("span.muted", null, "  (default)") : null);
  }

  private button(text: string, variant: string, testId: string, onClick: (button: HTMLButtonElement) => void): HTMLButtonElement {
    const button = h("button", { type: "button", class: variant, disabled: this.busy, "data-action": testId });
    button.textContent = text;
    button.addEventListener("click", () => onClick(button));
    return button;
  }

  private jsonEditor(key: string, initial: string): { element: HTMLElement; read(use: (value: JsonObject) => void): void } {
    const textarea = h("textarea.json", { autocomplete: "off", rows: Math.min(12, Math.max(3, initial.split("\n").length + 1)), "data-editor": key, "aria-label": `${key} JSON` });
    textarea.spellcheck = false;
    textarea.value = this.drafts.get(key) ?? initial;
    const status = h("div.editor-status");
    const check = (): JsonObject | null => {
      try {
        const value = JSON.parse(textarea.value || "{}") as Json;
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
          throw new Error("must be a JSON object, like {\"key\": 1}");
        }
        status.textContent = "";
        textarea.classList.remove("invalid");
        return value;
      } catch (error) {
        status.textContent = `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
        textarea.classList.add("invalid");
        return null;
      }
    };
    textarea.addEventListener("input", () => {
      this.drafts.set(key, textarea.value);
      check();
    });
    const format = h("button.link", { type: "button", onclick: () => {
      const value = check();
      if (value) {
        textarea.value = prettyJson(value);
        this.drafts.set(key, textarea.value);
      }
    } }, "Format");
    return {
      element: h("div.editor", null, textarea, h("div.editor-bar", null, status, format)),
      read: (use) => {
        const value = check();
        if (value) {
          use(value);
        } else {
          textarea.focus();
        }
      },
    };
  }

  private say(ok: boolean, text: string): void {
    this.notice = { ok, text };
    this.draw();
  }

  /** Sends one action; the engine's refusal (result=false) and HTTP errors show in the panel in its own words. */
  private async run(what: string, call: () => Promise<EngineResult>): Promise<void> {
    this.busy = true;
    this.notice = null;
    this.draw();
    try {
      const answer = await call();
      this.notice = answer.result
        ? { ok: true, text: `${what}: accepted.` }
        : { ok: false, text: `${what} refused by the engine: ${answer.message || "no reason given"}` };
      if (answer.result) {
        this.drafts.clear();
        this.context.onChanged();
      }
    } catch (error) {
      this.notice = { ok: false, text: `${what} failed: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      this.busy = false;
    }
    this.shown = "";
    await this.refresh();
    this.draw();
  }

  private histories(detail: NodeDetail): HTMLElement | null {
    if (detail.histories.length === 0) {
      return null;
    }
    return h("section", { "data-testid": "node-histories" },
      h("h3", null, `Earlier attempts (${detail.histories.length})`),
      detail.histories.map((history) =>
        h("details.history", null,
          h("summary", null,
            `loop ${history.loop}, retry ${history.retry}${history.skip ? ", skipped" : ""}`,
            h("span.muted", null, `  ${timestamp(history.started_at)} → ${timestamp(history.archived_at)}`)),
          h("h4", null, "Inputs"), h("pre.json", null, prettyJson(history.inputs)),
          h("h4", null, "Outputs"), h("pre.json", null, prettyJson(history.outputs)))));
  }
}

/** The values of bamboo raw inputs ({key: {need_render, value}}), which is what retry_node takes as data. */
function rawValues(raw: JsonObject): JsonObject {
  const values: JsonObject = {};
  for (const [key, input] of Object.entries(raw)) {
    values[key] = input !== null && typeof input === "object" && !Array.isArray(input) && "value" in input ? input["value"]! : input;
  }
  return values;
}

function fact(term: string, value: string): HTMLElement[] {
  return [h("dt", null, term), h("dd", null, value)];
}

function card(title: string, help: string, ...body: HTMLElement[]): HTMLElement {
  return h("div.card", null, h("h4", null, title), h("p.help", null, help), ...body);
}

function jsonSection(title: string, value: JsonObject, testId: string): HTMLElement {
  const empty = Object.keys(value).length === 0;
  return h("details.section", { open: true, "data-testid": testId },
    h("summary", null, title, empty ? h("span.muted", null, "  (none)") : null),
    empty ? null : h("pre.json", null, prettyJson(value)));
}
