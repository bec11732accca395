// How states, times and JSON read on the page.

/** bamboo's node states, in words, with the colour family the CSS gives each (class `state-<family>`). */
const States: Record<string, { label: string; family: string }> = {
  CREATED: { label: "Created", family: "idle" },
  READY: { label: "Ready", family: "ready" },
  RUNNING: { label: "Running", family: "running" },
  SUSPENDED: { label: "Paused", family: "paused" },
  BLOCKED: { label: "Blocked", family: "paused" },
  FINISHED: { label: "Finished", family: "finished" },
  FAILED: { label: "Failed", family: "failed" },
  REVOKED: { label: "Revoked", family: "revoked" },
  ROLLING_BACK: { label: "Rolling back", family: "rollback" },
  ROLL_BACK_SUCCESS: { label: "Rolled back", family: "rollback" },
  ROLL_BACK_FAILED: { label: "Rollback failed", family: "failed" },
};

export function stateLabel(state: string | null | undefined): string {
  return state ? (States[state]?.label ?? state) : "Not started";
}

export function stateFamily(state: string | null | undefined): string {
  return state ? (States[state]?.family ?? "idle") : "pending";
}

export const ListStates = ["RUNNING", "FAILED", "SUSPENDED", "FINISHED", "REVOKED", "CREATED", "READY", "BLOCKED"];

/** "12 s", "5 min", "3 h", "2 d": how long ago, short enough for a table cell. */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) {
    return "";
  }
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    return `${hours} h`;
  }
  return `${Math.floor(hours / 24)} d`;
}

export function timestamp(iso: string | null | undefined): string {
  if (!iso) {
    return "—";
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
