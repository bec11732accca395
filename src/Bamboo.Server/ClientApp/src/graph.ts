// Draws a bamboo tree as an SVG graph. ELK (elkjs, the Eclipse Layout Kernel) places the nodes and routes the
// flows; this file only turns the tree into ELK's graph and ELK's answer into SVG. An expanded SubProcess is a
// compound node: ELK lays its inner pipeline out first and sizes the box around it.

import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";
import type { Tree, TreeNode } from "./api";
import { svg } from "./dom";
import { stateFamily, stateLabel } from "./format";

const elk = new ELK();

const ActivityWidth = 196;
const ActivityHeight = 68;
const EventSize = 36;
const GatewaySize = 44;
const LabelHeight = 16;
const MaxLabelChars = 26;

export type NodeKind = "start" | "end" | "activity" | "subprocess" | "gateway";

/** One node of the tree, wherever it sits (inner pipelines included), with what the page needs to know of it. */
export interface TreeIndexEntry {
  node: TreeNode;
  kind: NodeKind;
  /** The pipeline (root or subprocess) that holds it. */
  pipelineId: string;
}

/** Every node and flow of a tree, inner pipelines included, by id. */
export interface TreeIndex {
  nodes: Map<string, TreeIndexEntry>;
  flows: Map<string, { source: string; target: string; condition?: string; isDefault: boolean }>;
}

export function indexTree(tree: Tree): TreeIndex {
  const index: TreeIndex = { nodes: new Map(), flows: new Map() };
  const visit = (pipeline: Tree) => {
    const add = (node: TreeNode, kind: NodeKind) => index.nodes.set(node.id, { node, kind, pipelineId: pipeline.id });
    add(pipeline.start_event, "start");
    add(pipeline.end_event, "end");
    for (const activity of Object.values(pipeline.activities ?? {})) {
      add(activity, activity.type === "SubProcess" ? "subprocess" : "activity");
      if (activity.type === "SubProcess" && activity.pipeline) {
        visit(activity.pipeline);
      }
    }
    for (const gateway of Object.values(pipeline.gateways ?? {})) {
      add(gateway, "gateway");
    }
    for (const flow of Object.values(pipeline.flows ?? {})) {
      index.flows.set(flow.id, { source: flow.source, target: flow.target, isDefault: flow.is_default === true });
    }
    for (const gateway of Object.values(pipeline.gateways ?? {})) {
      for (const [flowId, condition] of Object.entries(gateway.conditions ?? {})) {
        const flow = index.flows.get(flowId);
        if (flow && condition.evaluate) {
          flow.condition = condition.evaluate;
        }
      }
      const fallback = gateway.default_condition?.flow_id;
      const flow = fallback ? index.flows.get(fallback) : undefined;
      if (flow) {
        flow.isDefault = true;
      }
    }
  };
  visit(tree);
  return index;
}

export interface GraphHandlers {
  onSelect(nodeId: string): void;
  onToggle(subprocessId: string): void;
}

interface Placed extends ElkNode {
  children?: Placed[];
  edges?: ElkExtendedEdge[];
}

export class PipelineGraph {
  private readonly svgRoot: SVGSVGElement;
  private renderSeq = 0;
  private states = new Map<string, string | null>();
  private selected: string | null = null;
  private scale = 1;
  private size = { width: 0, height: 0 };
  /** Set once the person zooms: from then on a new layout keeps their scale. */
  private zoomedByHand = false;

  constructor(
    private readonly host: HTMLElement,
    private readonly handlers: GraphHandlers,
  ) {
    this.svgRoot = svg("svg", { class: "graph", role: "img", "aria-label": "pipeline graph" });
    host.append(this.svgRoot);
    // The pane narrows when the node panel opens: keep the whole graph in view unless the person zoomed.
    let width = 0;
    new ResizeObserver(() => {
      if (host.clientWidth !== width) {
        width = host.clientWidth;
        if (!this.zoomedByHand && this.size.width > 0) {
          this.fit();
        }
      }
    }).observe(host);
  }

  /** Lays the tree out again (on load, or when a subprocess opens or closes) and draws it with the known states. */
  async render(tree: Tree, index: TreeIndex, expanded: ReadonlySet<string>, states: Map<string, string | null>): Promise<void> {
    const seq = ++this.renderSeq;
    this.states = states;
    const laidOut = (await elk.layout(toElkGraph(tree, index, expanded))) as Placed;
    if (seq !== this.renderSeq) {
      return;
    }
    const margin = 24;
    this.size = { width: (laidOut.width ?? 0) + 2 * margin, height: (laidOut.height ?? 0) + 2 * margin };
    const layer = svg("g", { transform: `translate(${margin},${margin})` });
    drawContainer(layer, laidOut, index, expanded);
    this.svgRoot.replaceChildren(arrowDefs(), layer);
    this.svgRoot.setAttribute("viewBox", `0 0 ${this.size.width} ${this.size.height}`);
    for (const [id, state] of this.states) {
      this.setState(id, state);
    }
    this.select(this.selected);
    if (!this.zoomedByHand) {
      this.fit();
    } else {
      this.applyScale();
    }
    this.svgRoot.querySelectorAll<SVGGElement>("[data-node-id]").forEach((group) => {
      const id = group.dataset["nodeId"]!;
      group.addEventListener("click", (event) => {
        const toggle = (event.target as Element).closest("[data-toggle]");
        if (toggle) {
          event.stopPropagation();
          this.handlers.onToggle(id);
          return;
        }
        event.stopPropagation();
        this.handlers.onSelect(id);
      });
      group.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          this.handlers.onSelect(id);
        }
      });
    });
  }

  /** Recolours one node (a state event); no new layout. */
  setState(nodeId: string, state: string | null): void {
    this.states.set(nodeId, state);
    const group = this.svgRoot.querySelector<SVGGElement>(`[data-node-id="${CSS.escape(nodeId)}"]`);
    if (!group) {
      return;
    }
    group.dataset["state"] = state ?? "";
    group.setAttribute("class", group.getAttribute("class")!.replace(/\bstate-\S+/, `state-${stateFamily(state)}`));
    const caption = group.querySelector(".node-state");
    if (caption) {
      caption.textContent = stateLabel(state);
    }
    const title = group.querySelector("title");
    if (title) {
      title.textContent = title.textContent!.replace(/ — .*$/, ` — ${stateLabel(state)}`);
    }
  }

  select(nodeId: string | null): void {
    this.selected = nodeId;
    this.svgRoot.querySelectorAll(".node.selected").forEach((n) => n.classList.remove("selected"));
    if (nodeId) {
      this.svgRoot.querySelector(`[data-node-id="${CSS.escape(nodeId)}"]`)?.classList.add("selected");
    }
  }

  zoom(factor: number): void {
    this.zoomedByHand = true;
    this.scale = Math.min(2.5, Math.max(0.25, this.scale * factor));
    this.applyScale();
  }

  /** Shrinks the graph to the pane's width (never enlarges past 100%). */
  fitByHand(): void {
    this.zoomedByHand = false;
    this.fit();
  }

  private fit(): void {
    const available = this.host.clientWidth - 8;
    this.scale = this.size.width > 0 && available > 0 ? Math.max(0.35, Math.min(1, available / this.size.width)) : 1;
    this.applyScale();
  }

  private applyScale(): void {
    this.svgRoot.setAttribute("width", String(Math.round(this.size.width * this.scale)));
    this.svgRoot.setAttribute("height", String(Math.round(this.size.height * this.scale)));
  }
}

function kindOf(index: TreeIndex, id: string): NodeKind {
  return index.nodes.get(id)?.kind ?? "activity";
}

function shortLabel(text: string, max = MaxLabelChars): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function labelWidth(text: string): number {
  return Math.ceil(shortLabel(text).length * 6.6) + 4;
}

/** The ELK graph of one pipeline: nodes with their sizes, flows as edges, open subprocesses as compound nodes. */
function toElkGraph(pipeline: Tree, index: TreeIndex, expanded: ReadonlySet<string>, isRoot = true): ElkNode {
  const nodes: TreeNode[] = [pipeline.start_event, ...Object.values(pipeline.activities ?? {}), ...Object.values(pipeline.gateways ?? {}), pipeline.end_event];
  const children = nodes.map((node): ElkNode => {
    const kind = kindOf(index, node.id);
    const name = node.name || node.id;
    if (kind === "subprocess" && expanded.has(node.id) && node.pipeline) {
      const inner = toElkGraph(node.pipeline, index, expanded, false);
      return { ...inner, id: node.id };
    }
    if (kind === "activity" || kind === "subprocess") {
      return { id: node.id, width: ActivityWidth, height: ActivityHeight };
    }
    const size = kind === "gateway" ? GatewaySize : EventSize;
    return {
      id: node.id,
      width: size,
      height: size,
      labels: [{ text: shortLabel(name), width: labelWidth(name), height: LabelHeight }],
      layoutOptions: { "elk.nodeLabels.placement": "OUTSIDE V_BOTTOM H_CENTER" },
    };
  });
  const edges: ElkExtendedEdge[] = Object.values(pipeline.flows ?? {}).map((flow) => ({
    id: `${pipeline.id}::${flow.id}`,
    sources: [flow.source],
    targets: [flow.target],
  }));
  return {
    id: isRoot ? "__root__" : pipeline.id,
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.edgeRouting": "ORTHOGONAL",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.layered.spacing.nodeNodeBetweenLayers": "48",
      "elk.spacing.nodeNode": "28",
      "elk.spacing.edgeNode": "16",
      "elk.spacing.labelNode": "4",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
      // Room for the subprocess header (name, state, collapse button) above its inner pipeline.
      "elk.padding": isRoot ? "[top=0,left=0,bottom=0,right=0]" : "[top=44,left=18,bottom=18,right=18]",
    },
    children,
    edges,
  };
}

function arrowDefs(): SVGDefsElement {
  return svg(
    "defs",
    {},
    svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow-head" })),
  );
}

function drawContainer(layer: SVGGElement, container: Placed, index: TreeIndex, expanded: ReadonlySet<string>): void {
  for (const edge of container.edges ?? []) {
    const flowId = edge.id.slice(edge.id.indexOf("::") + 2);
    const flow = index.flows.get(flowId);
    for (const section of edge.sections ?? []) {
      const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
      const path = svg("path", {
        d: points.map((p, i) => `${i === 0 ? "M" : "L"} ${p.x} ${p.y}`).join(" "),
        class: `flow${flow?.isDefault ? " default" : ""}`,
        "marker-end": "url(#arrow)",
        "data-flow-id": flowId,
      });
      const title = flow?.condition ? `${flowId}: ${flow.condition}` : flowId;
      path.append(svg("title", {}, flow?.isDefault ? `${title} (default)` : title));
      layer.append(path);
    }
  }
  for (const child of container.children ?? []) {
    layer.append(drawNode(child, index, expanded));
  }
}

function drawNode(placed: Placed, index: TreeIndex, expanded: ReadonlySet<string>): SVGGElement {
  const entry = index.nodes.get(placed.id);
  const kind = entry?.kind ?? "activity";
  const node = entry?.node;
  const name = node?.name || placed.id;
  const width = placed.width ?? 0;
  const height = placed.height ?? 0;
  const open = kind === "subprocess" && expanded.has(placed.id);
  const group = svg("g", {
    class: `node kind-${kind}${open ? " open" : ""} state-pending`,
    transform: `translate(${placed.x ?? 0},${placed.y ?? 0})`,
    "data-node-id": placed.id,
    "data-kind": kind,
    tabindex: 0,
    role: "button",
    "aria-label": name,
  });
  group.append(svg("title", {}, `${name} (${placed.id}) — ${stateLabel(null)}`));

  if (kind === "start" || kind === "end") {
    const r = width / 2;
    group.append(svg("circle", { cx: r, cy: r, r: kind === "end" ? r - 2 : r - 1, class: "shape" }));
  } else if (kind === "gateway") {
    const c = width / 2;
    group.append(svg("path", { d: `M ${c} 0 L ${width} ${c} L ${c} ${height} L 0 ${c} Z`, class: "shape" }));
    group.append(svg("text", { x: c, y: c + 6, class: "gateway-mark" }, gatewayMark(node?.type ?? "")));
  } else if (open) {
    group.append(svg("rect", { width, height, rx: 10, class: "shape container" }));
    group.append(svg("text", { x: 16, y: 24, class: "node-name" }, shortLabel(name)));
    group.append(svg("text", { x: 16 + labelWidth(name) + 10, y: 24, class: "node-state" }, stateLabel(null)));
    group.append(toggle(width - 30, 10, true));
  } else {
    group.append(svg("rect", { width, height, rx: 8, class: "shape" }));
    group.append(svg("rect", { width: 6, height, rx: 3, class: "accent" }));
    group.append(svg("text", { x: 16, y: 22, class: "node-name" }, shortLabel(name, kind === "subprocess" ? 20 : MaxLabelChars)));
    const detail = kind === "subprocess" ? "subprocess" : (node?.component?.code ?? node?.type ?? "");
    group.append(svg("text", { x: 16, y: 40, class: "node-detail" }, shortLabel(detail)));
    group.append(svg("text", { x: 16, y: 58, class: "node-state" }, stateLabel(null)));
    if (kind === "subprocess") {
      group.append(toggle(width - 30, 8, false));
    }
  }
  for (const label of placed.labels ?? []) {
    group.append(svg("text", { x: (label.x ?? 0) + (label.width ?? 0) / 2, y: (label.y ?? 0) + 12, class: "outer-label" }, label.text ?? ""));
  }
  if (open) {
    const inner = svg("g", {});
    drawContainer(inner, placed, index, expanded);
    group.append(inner);
  }
  return group;
}

function toggle(x: number, y: number, open: boolean): SVGGElement {
  const button = svg("g", { class: "toggle", transform: `translate(${x},${y})`, "data-toggle": open ? "collapse" : "expand" });
  button.append(svg("title", {}, open ? "Collapse subprocess" : "Expand subprocess in place"));
  button.append(svg("rect", { width: 20, height: 20, rx: 4 }));
  button.append(svg("path", { d: open ? "M 5 10 H 15" : "M 5 10 H 15 M 10 5 V 15" }));
  return button;
}

function gatewayMark(type: string): string {
  switch (type) {
    case "ExclusiveGateway":
      return "×";
    case "ParallelGateway":
      return "+";
    case "ConditionalParallelGateway":
      return "⊕";
    case "ConvergeGateway":
      return "⋈";
    default:
      return "◇";
  }
}
