// The one file that knows which JavaScript runtime we are on (Node, Bun or Deno) and touches its globals.
import { availableParallelism } from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

/** The JavaScript runtime executing this code. */
export type RuntimeName = "node" | "bun" | "deno";

interface DenoLike {
  version: { deno: string };
  args: string[];
  exit(code: number): never;
  env: { get(name: string): string | undefined; toObject(): Record<string, string> };
  stdout: { isTerminal(): boolean };
  stderr: { isTerminal(): boolean };
}

const g = globalThis as unknown as { Deno?: DenoLike; Bun?: { version: string }; process?: NodeJS.Process };

/** Which runtime we are on. Bun and Deno also define `process`, so they are tested first. */
export function runtimeName(): RuntimeName {
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined) return "deno";
  return "node";
}

/** "node v20.20.2", "bun 1.4.5", "deno 2.9.6". */
export function runtimeVersion(): string {
  if (g.Bun !== undefined) return `bun ${g.Bun.version}`;
  if (g.Deno !== undefined) return `deno ${g.Deno.version.deno}`;
  return `node ${g.process?.version ?? "unknown"}`;
}

/** Command-line arguments after the script name. */
export function commandArgs(): string[] {
  if (g.Deno !== undefined) return [...g.Deno.args];
  return g.process?.argv.slice(2) ?? [];
}

/** An environment variable, or undefined. */
export function envVar(name: string): string | undefined {
  if (g.Deno !== undefined) {
    try {
      return g.Deno.env.get(name);
    } catch {
      return undefined; // --allow-env not granted
    }
  }
  return g.process?.env[name];
}

/** Whether the given stream is an interactive terminal (progress bars draw only there). */
export function isTerminal(stream: "stdout" | "stderr"): boolean {
  if (g.Deno !== undefined) return g.Deno[stream].isTerminal();
  return g.process?.[stream].isTTY === true;
}

/** Write text to stdout or stderr without a newline. */
export function writeText(stream: "stdout" | "stderr", text: string): void {
  g.process?.[stream].write(text);
}

/** End the process with an exit code. */
export function exitProcess(code: number): never {
  if (g.Deno !== undefined) g.Deno.exit(code);
  g.process?.exit(code);
  throw new Error(`exit(${code})`);
}

/** Resident set size of this process in bytes (Node and Bun; Deno reports it through process too). */
export function residentSetBytes(): number {
  return g.process?.memoryUsage().rss ?? 0;
}

/** Register a handler for SIGINT/SIGTERM, so a long job can save before it stops. Returns an unregister function. */
export function onTerminate(handler: (signal: "SIGINT" | "SIGTERM") => void): () => void {
  const proc = g.process;
  if (proc === undefined) return () => {};
  const onInt = () => handler("SIGINT");
  const onTerm = () => handler("SIGTERM");
  proc.on("SIGINT", onInt);
  proc.on("SIGTERM", onTerm);
  return () => {
    proc.off("SIGINT", onInt);
    proc.off("SIGTERM", onTerm);
  };
}

/** Logical cores this process may use (`os.availableParallelism()`; Node, Bun and Deno all provide it). */
export function availableCores(): number {
  return Math.max(1, availableParallelism());
}

/** What the parent sees of a worker thread, the same under Node, Bun and Deno (`node:worker_threads`). */
export interface WorkerHandle {
  postMessage(message: unknown): void;
  /** `message` for replies, `error` for an uncaught error in the worker, `exit` when its thread ends. */
  on(event: "message", listener: (message: unknown) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  on(event: "exit", listener: (code: number) => void): void;
  terminate(): Promise<number>;
}

/**
 * Start a worker thread running the module at `entry` with `data` as its `workerData`. Bun and Deno run a `.ts`
 * entry themselves; Node 20 cannot, so a `.ts` entry (the sources under vitest) starts through a bootstrap that
 * registers a TypeScript-stripping loader first (dev only: the built `dist/` entry is plain JavaScript).
 */
export function startWorker(entry: URL, data: unknown): WorkerHandle {
  if (runtimeName() === "node" && entry.pathname.endsWith(".ts")) {
    return new Worker(new URL("./_ts-worker-bootstrap.mjs", import.meta.url), { workerData: { longpoTsEntry: entry.href, data } });
  }
  return new Worker(entry, { workerData: data });
}

/** In a worker thread: its `workerData` and a port to the parent; `undefined` on the main thread. */
export function workerSide(): { data: unknown; post(message: unknown): void; onMessage(listener: (message: unknown) => void): void } | undefined {
  if (isMainThread || parentPort === null) return undefined;
  const port = parentPort;
  const wd = workerData as unknown;
  const viaBootstrap = typeof wd === "object" && wd !== null && "longpoTsEntry" in wd;
  return {
    data: viaBootstrap ? (wd as unknown as { data: unknown }).data : wd,
    post: (m) => port.postMessage(m),
    onMessage: (listener) => port.on("message", listener),
  };
}
