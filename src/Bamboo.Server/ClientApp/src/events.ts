// The pipeline's server-sent events, read with fetch rather than EventSource: EventSource cannot send the
// Authorization header, and the token must go with every request.
//
// The server sends every node's state on connect, then each change, and closes the stream with `end` once the run
// stops (failed, paused, waiting for a callback...). A stopped run can move again (an action here, the CLI, another
// page), so the stream is opened again: at once after an action on this page (restart), else after a short pause.
// Only a finished or revoked run is left alone.

import { authHeaders, describeFailure } from "./api";

export interface StateEvent {
  node_id: string;
  state: string;
  version?: string;
  loop?: number;
  retry?: number;
}

export interface EndEvent {
  end: string;
}

export interface StreamHandlers {
  onState(event: StateEvent): void;
  /** The run stopped; answer whether to keep watching it (false once it can no longer change). */
  onEnd(event: EndEvent): boolean;
  /** The stream is open again. */
  onOpen(): void;
  /** A failure a person should see (401/403, lost connection), or null once the stream works again. */
  onProblem(message: string | null): void;
}

const FirstBackoffMs = 500;
const MaxBackoffMs = 10_000;
/** How soon a stopped run is looked at again for changes made elsewhere. */
const StoppedRecheckMs = 4_000;

export class PipelineStream {
  private backoff = FirstBackoffMs;
  private wake: (() => void) | null = null;
  private done = false;

  constructor(
    private readonly id: string,
    private readonly handlers: StreamHandlers,
    private readonly signal: AbortSignal,
  ) {}

  start(): void {
    void this.loop();
  }

  /** Something changed here (an action was accepted): follow the run again now. */
  restart(): void {
    this.backoff = FirstBackoffMs;
    if (this.done) {
      this.done = false;
      void this.loop();
    }
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.signal.aborted && !this.done) {
      let wait = this.backoff;
      try {
        const response = await fetch(`/api/pipelines/${encodeURIComponent(this.id)}/events`, {
          headers: { Accept: "text/event-stream", ...authHeaders() },
          signal: this.signal,
          cache: "no-store",
        });
        if (!response.ok || !response.body) {
          this.handlers.onProblem(`Live updates stopped: ${await describeFailure(response)}`);
          // A refused token does not start working by itself: ask again rarely.
          wait = response.status === 401 || response.status === 403 ? MaxBackoffMs : this.backoff;
          this.backoff = Math.min(this.backoff * 2, MaxBackoffMs);
        } else {
          this.handlers.onProblem(null);
          this.handlers.onOpen();
          this.backoff = FirstBackoffMs;
          const end = await this.read(response.body);
          if (end === "stop") {
            this.done = true;
            return;
          }
          wait = end === "stopped" ? StoppedRecheckMs : FirstBackoffMs;
        }
      } catch (error) {
        if (this.signal.aborted) {
          return;
        }
        this.handlers.onProblem(`Live updates lost (${error instanceof Error ? error.message : String(error)}); reconnecting…`);
        this.backoff = Math.min(this.backoff * 2, MaxBackoffMs);
      }
      await this.sleep(wait);
    }
  }

  /** Reads events until the server closes the stream: "stopped" after an end event, "stop" when told to stop. */
  private async read(body: ReadableStream<Uint8Array>): Promise<"dropped" | "stopped" | "stop"> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let event = "message";
    let data: string[] = [];
    let outcome: "dropped" | "stopped" | "stop" = "dropped";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return outcome;
      }
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
        if (line === "") {
          const parsed = parse(data.join("\n"));
          if (parsed !== undefined && event === "state") {
            this.handlers.onState(parsed as StateEvent);
          } else if (parsed !== undefined && event === "end") {
            outcome = this.handlers.onEnd(parsed as EndEvent) ? "stopped" : "stop";
          }
          event = "message";
          data = [];
        } else if (!line.startsWith(":")) {
          // A line starting with ':' is a comment (keep-alive); others are "field: value".
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") {
            event = text;
          } else if (field === "data") {
            data.push(text);
          }
        }
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wake = finish;
      this.signal.addEventListener("abort", finish, { once: true });
    });
  }
}

function parse(data: string): unknown {
  if (data === "") {
    return undefined;
  }
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}
