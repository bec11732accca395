// The HTTP contract of `bamboo serve` (docs/http-api.md) as the page uses it: snake_case JSON, bamboo's
// EngineApiResult for actions, RFC 7807 problem details for HTTP errors, a bearer token on every request.

import { getToken } from "./token";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface PipelineSummary {
  id: string;
  name: string;
  state: string;
  created_at: string;
  archived_at?: string | null;
  /** Not in the contract yet; used when the server sends it, computed from the pipeline view otherwise. */
  progress?: { finished: number; total: number } | null;
}

export interface PipelinePage {
  items: PipelineSummary[];
  next: string | null;
}

export interface NodeView {
  id: string;
  name: string;
  kind: string;
  parent_id: string;
  component: string | null;
  state: string | null;
  version: string | null;
  loop: number;
  retry: number;
  skip: boolean;
  error_ignored: boolean;
  started_at: string | null;
  archived_at: string | null;
}

export interface PipelineOutcome {
  end: string;
  nodes: NodeView[];
  requirements: string[];
}

export interface PipelineView {
  id: string;
  name: string;
  state: string;
  created_at: string;
  nodes: NodeView[];
  outcome: PipelineOutcome | null;
}

export interface HistoryView {
  loop: number;
  retry: number;
  skip: boolean;
  version: string;
  started_at: string | null;
  archived_at: string | null;
  inputs: JsonObject;
  outputs: JsonObject;
}

export interface NodeDetail {
  node: NodeView;
  root_id: string;
  inputs: JsonObject;
  outputs: JsonObject;
  error: string | null;
  raw_inputs: JsonObject;
  histories: HistoryView[];
  actions: string[];
  flows: string[];
  converge_gateway_id: string | null;
}

export interface EngineResult {
  result: boolean;
  message: string;
  exc?: string | null;
  data?: Json;
}

// The bamboo tree as stored: only the fields the graph needs.
export interface TreeNode {
  id: string;
  name?: string;
  type: string;
  incoming?: string | string[];
  outgoing?: string | string[];
  component?: { code?: string };
  pipeline?: Tree;
  conditions?: Record<string, { evaluate?: string; name?: string }>;
  default_condition?: { flow_id?: string; name?: string };
}

export interface Tree {
  id: string;
  start_event: TreeNode;
  end_event: TreeNode;
  activities: Record<string, TreeNode>;
  gateways: Record<string, TreeNode>;
  flows: Record<string, { id: string; source: string; target: string; is_default?: boolean }>;
}

/** An HTTP error, with the words a person should read. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** The sentence shown for a failed response: 401/403 say what to do about the token; others quote the problem. */
export async function describeFailure(response: Response): Promise<string> {
  if (response.status === 401) {
    return "Not authorised (401): this server needs a valid token. Enter one with the Token button at the top right.";
  }
  if (response.status === 403) {
    return "Forbidden (403): this token may only read. Operator actions need an operator token.";
  }
  let detail = "";
  try {
    const problem = (await response.json()) as { title?: string; detail?: string; errors?: Record<string, string[]> };
    const fields = problem.errors
      ? Object.entries(problem.errors)
          .map(([field, errors]) => `${field}: ${errors.join(", ")}`)
          .join("; ")
      : "";
    detail = [problem.detail ?? problem.title, fields].filter(Boolean).join(" — ");
  } catch {
    // Not a problem document: the status line says enough.
  }
  return `${response.status} ${response.statusText || "error"}${detail ? `: ${detail}` : ""}`;
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...authHeaders() };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") {
      throw error;
    }
    throw new ApiError(0, "The server did not answer. Is `bamboo serve` still running?");
  }
  if (!response.ok) {
    throw new ApiError(response.status, await describeFailure(response));
  }
  return (await response.json()) as T;
}

const enc = encodeURIComponent;

export const api = {
  listPipelines(query: { state?: string; search?: string; after?: string; limit?: number }, signal?: AbortSignal) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== "") {
        params.set(key, String(value));
      }
    }
    return request<PipelinePage>("GET", `/api/pipelines?${params}`, undefined, signal);
  },
  pipeline: (id: string, signal?: AbortSignal) => request<PipelineView>("GET", `/api/pipelines/${enc(id)}`, undefined, signal),
  tree: (id: string, signal?: AbortSignal) => request<Tree>("GET", `/api/pipelines/${enc(id)}/tree`, undefined, signal),
  node: (id: string, signal?: AbortSignal) => request<NodeDetail>("GET", `/api/nodes/${enc(id)}`, undefined, signal),
  pipelineAction: (id: string, action: "pause" | "resume" | "revoke") =>
    request<EngineResult>("POST", `/api/pipelines/${enc(id)}/${action}`),
  nodeAction: (id: string, route: string, body?: JsonObject) =>
    request<EngineResult>("POST", `/api/nodes/${enc(id)}/${route}`, body ?? {}),
};
