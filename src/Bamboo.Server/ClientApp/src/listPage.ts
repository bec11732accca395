// The pipelines, newest first: filter by state and text, page with the server's cursor, and see each visible
// run's progress (finished nodes / nodes) read from its pipeline view.

import { api, type PipelineSummary } from "./api";
import { h } from "./dom";
import { ListStates, age, stateFamily, stateLabel, timestamp } from "./format";
import { navigate } from "./router";

const PageSize = 20;
const RefreshMs = 5000;
const ProgressConcurrency = 4;

interface Progress {
  finished: number;
  total: number;
}

/** Progress of runs that can no longer change, kept while the tab lives. */
const settled = new Map<string, Progress>();
/** The last progress read of runs still moving: shown until the next read replaces it. */
const recent = new Map<string, Progress>();
/** Why a moving run stands still (a failed node, a callback awaited), as last read. */
const stopHints = new Map<string, HTMLElement>();
/** The search box had the focus when its typing reloaded the list: it gets it back. */
let typingInSearch = false;
/** Cursors of the pages before this one, so "Newer" can go back. */
let previous: string[] = [];

export function listPage(root: HTMLElement, signal: AbortSignal): void {
  const params = new URLSearchParams(location.search);
  const state = params.get("state") ?? "";
  const search = params.get("search") ?? "";
  const after = params.get("after") ?? "";
  if (!after) {
    previous = [];
  }

  const go = (next: { state?: string; search?: string; after?: string }) => {
    const query = new URLSearchParams();
    const merged = { state, search, after: "", ...next };
    for (const [key, value] of Object.entries(merged)) {
      if (value) {
        query.set(key, value);
      }
    }
    navigate(`/${query.size ? `?${query}` : ""}`);
  };

  const stateSelect = h("select", { "aria-label": "State", "data-testid": "filter-state", onchange: () => { previous = []; go({ state: stateSelect.value }); } },
    h("option", { value: "" }, "All states"),
    ListStates.map((s) => h("option", { value: s, selected: s === state }, stateLabel(s))));
  const searchBox = h("input", { type: "search", placeholder: "Search id or name", value: search, "aria-label": "Search", "data-testid": "filter-search" });
  let typing = 0;
  searchBox.addEventListener("input", () => {
    clearTimeout(typing);
    typing = window.setTimeout(() => {
      previous = [];
      typingInSearch = document.activeElement === searchBox;
      go({ search: searchBox.value.trim() });
    }, 400);
  });
  signal.addEventListener("abort", () => clearTimeout(typing));

  const body = h("tbody");
  const status = h("div.list-status");
  const pager = h("div.pager");
  const count = h("span.muted");
  root.replaceChildren(
    h("div.page.list-page", null,
      h("header.list-head", null, h("h1", null, "Pipelines"), count),
      h("div.filters", null, stateSelect, searchBox,
        state || search ? h("button.link", { type: "button", onclick: () => { previous = []; navigate("/"); } }, "Clear filters") : null),
      h("table.runs", { "data-testid": "pipelines" },
        h("thead", null, h("tr", null, h("th", null, "Pipeline"), h("th", null, "State"), h("th.progress-col", null, "Progress"), h("th.age-col", null, "Age"))),
        body),
      status,
      pager));
  if (typingInSearch) {
    typingInSearch = false;
    searchBox.focus();
    searchBox.setSelectionRange(search.length, search.length);
  }

  let timer = 0;
  const load = async (first: boolean) => {
    try {
      const page = await api.listPipelines({ state, search, after, limit: PageSize }, signal);
      drawRows(body, page.items, signal);
      count.textContent = page.items.length === 0 ? "" : `${page.items.length} on this page`;
      status.replaceChildren(page.items.length === 0
        ? h("div.empty", null, state || search ? "No pipeline matches these filters." : "No pipelines yet. Start one with `bamboo run` or POST /api/pipelines.")
        : "");
      drawPager(pager, page.next, after, go);
    } catch (error) {
      if (signal.aborted) {
        return;
      }
      status.replaceChildren(h("div.notice.bad", { role: "alert", "data-testid": "page-problem" }, error instanceof Error ? error.message : String(error)));
      if (first) {
        body.replaceChildren();
      }
    }
    if (!signal.aborted) {
      timer = window.setTimeout(() => void load(false), RefreshMs);
    }
  };
  signal.addEventListener("abort", () => clearTimeout(timer));
  void load(true);
}

function drawPager(pager: HTMLElement, next: string | null, after: string, go: (next: { after?: string }) => void): void {
  const newer = h("button", { type: "button", disabled: !after, "data-testid": "page-newer", onclick: () => go({ after: previous.pop() ?? "" }) }, "← Newer");
  const older = h("button", { type: "button", disabled: !next, "data-testid": "page-older", onclick: () => { previous.push(after); go({ after: next ?? "" }); } }, "Older →");
  pager.replaceChildren(newer, older);
}

function drawRows(body: HTMLElement, items: PipelineSummary[], signal: AbortSignal): void {
  const rows = items.map((item) => {
    const progressCell = h("td.progress-col");
    const stateCell = h("td", null, h("span", { class: `badge state-${stateFamily(item.state)}` }, stateLabel(item.state)), stopHints.get(item.id) ?? null);
    const known = item.progress ?? settled.get(item.id);
    drawProgress(progressCell, stopHints.get(item.id)?.dataset["state"] ?? item.state, known ?? recent.get(item.id) ?? null);
    const row = h("tr", { "data-pipeline-id": item.id, "data-state": item.state },
      h("td", null,
        h("a.run-name", { href: `/pipelines/${encodeURIComponent(item.id)}`, "data-link": true }, item.name || item.id),
        h("div.muted.mono", null, item.id)),
      stateCell,
      progressCell,
      h("td.age-col", { title: timestamp(item.created_at) }, age(item.created_at)));
    row.addEventListener("click", (event) => {
      if (!(event.target as Element).closest("a")) {
        navigate(`/pipelines/${encodeURIComponent(item.id)}`);
      }
    });
    return { item, row, progressCell, stateCell, known };
  });
  body.replaceChildren(...rows.map((r) => r.row));
  // Runs still moving are read again on every refresh; settled ones never.
  const missing = rows.filter((r) => !r.known);
  void fillProgress(missing, signal);
}

/** Reads the pipeline view of each row without a progress, a few at a time. */
async function fillProgress(rows: { item: PipelineSummary; progressCell: HTMLElement; stateCell: HTMLElement }[], signal: AbortSignal): Promise<void> {
  const queue = [...rows];
  const worker = async () => {
    for (let next = queue.shift(); next && !signal.aborted; next = queue.shift()) {
      try {
        const view = await api.pipeline(next.item.id, signal);
        const nodes = view.nodes.filter((n) => n.kind !== "Pipeline");
        const progress = { finished: nodes.filter((n) => n.state === "FINISHED").length, total: nodes.length };
        (view.state === "FINISHED" || view.state === "REVOKED" ? settled : recent).set(view.id, progress);
        const hint = stopHint(view.outcome?.end, view.state);
        drawProgress(next.progressCell, hint?.dataset["state"] ?? view.state, progress);
        next.stateCell.querySelector(".stop-hint")?.remove();
        if (hint) {
          next.stateCell.append(hint);
          stopHints.set(view.id, hint);
        } else {
          stopHints.delete(view.id);
        }
      } catch {
        drawProgress(next.progressCell, next.item.state, null, true);
      }
    }
  };
  await Promise.all(Array.from({ length: ProgressConcurrency }, worker));
}

function drawProgress(cell: HTMLElement, state: string, progress: Progress | null, failed = false): void {
  if (!progress) {
    cell.replaceChildren(h("span.muted", null, failed ? "—" : "…"));
    return;
  }
  const percent = progress.total === 0 ? 0 : Math.round((100 * progress.finished) / progress.total);
  cell.replaceChildren(
    h("div.progress", { title: `${progress.finished} of ${progress.total} nodes finished`, "data-testid": "progress" },
      h("div.bar", null, h("div", { class: `fill state-${stateFamily(state)}`, style: `width:${percent}%` })),
      h("span.progress-text", null, `${progress.finished} / ${progress.total}`)));
}

/** A second badge for a run whose root says RUNNING but that waits on something: what it waits on. */
function stopHint(end: string | undefined, state: string): HTMLElement | null {
  const key = (end ?? "").replace(/_/g, "").toLowerCase();
  // [colour family, words, the state whose colour the progress bar takes]
  const hints: Record<string, [string, string, string]> = {
    failed: ["failed", "node failed", "FAILED"],
    waitingforcallback: ["ready", "awaits callback", "RUNNING"],
    suspended: ["paused", "node paused", "SUSPENDED"],
    waitingforworker: ["paused", "needs a worker", "SUSPENDED"],
  };
  const hint = hints[key];
  if (!hint || (key === "suspended" && state === "SUSPENDED")) {
    return null;
  }
  return h("span", { class: `badge hint stop-hint state-${hint[0]}`, "data-state": hint[2] }, hint[1]);
}
