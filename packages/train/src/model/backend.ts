// selectBackend: the one place that chooses and initialises the TF.js backend (GPU first, then native, wasm, cpu).

import * as tf from "@tensorflow/tfjs-core";
import { runtimeName } from "../runtime.ts";
import { registerGradients } from "./gradients.ts";
import { registerWasmKernels } from "./wasm-kernels.ts";

/** A backend to ask for; `auto` takes the fastest one available. */
export type BackendPreference = "auto" | "webgpu" | "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";

/** The backend that was set up, and why. */
export interface BackendChoice {
  name: Exclude<BackendPreference, "auto">;
  reason: string;
}

/** A named backend that cannot run here; `install` is the command that adds its package. */
export class BackendUnavailableError extends Error {
  readonly backend: Exclude<BackendPreference, "auto">;
  readonly install: string | null;

  constructor(backend: Exclude<BackendPreference, "auto">, problem: string, install: string | null) {
    super(`Cannot use backend ${backend}: ${problem}${install === null ? "" : `; install it with \`${install}\``}`);
    this.name = "BackendUnavailableError";
    this.backend = backend;
    this.install = install;
  }
}

const PACKAGES = {
  webgpu: "@tensorflow/tfjs-backend-webgpu",
  "tensorflow-gpu": "@tensorflow/tfjs-node-gpu",
  tensorflow: "@tensorflow/tfjs-node",
  wasm: "@tensorflow/tfjs-backend-wasm",
  cpu: "@tensorflow/tfjs-backend-cpu",
} as const;

/** The command that installs a package, in the runtime's own package manager. */
function installCommand(pkg: string): string {
  switch (runtimeName()) {
    case "bun":
      return `bun add ${pkg}`;
    case "deno":
      return `deno add npm:${pkg}`;
    default:
      return `npm install ${pkg}`;
  }
}

/** Imports an optional package by a computed name, so that bundlers and type checkers leave it alone. */
async function importOptional(pkg: string): Promise<Record<string, unknown> | null> {
  try {
    return (await import(/* @vite-ignore */ pkg)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Adapter names of software renderers: they are not GPUs. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|software|basic render|microsoft basic/i;

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  /** Deno 2.9 reports `isFallbackAdapter` here (WebGPU moved it from the adapter to its info). */
  info?: Record<string, string | boolean | undefined>;
  requestAdapterInfo?: () => Promise<Record<string, string | undefined>>;
}

/** What `navigator.gpu` offers: a hardware adapter, a software one, or nothing. */
export type WebGpuProbe =
  | { kind: "hardware"; description: string }
  | { kind: "software"; description: string }
  | { kind: "none"; why: string };

/** Asks `navigator.gpu` for its default adapter and says whether it is a GPU (not re-exported by the package). */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } } }).navigator
    ?.gpu;
  if (gpu === undefined) return { kind: "none", why: `${runtimeName()} has no navigator.gpu` };
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { kind: "none", why: `navigator.gpu.requestAdapter() failed: ${String(e)}` };
  }
  if (adapter === null) return { kind: "none", why: "navigator.gpu offers no adapter" };
  const info: Record<string, string | boolean | undefined> = adapter.info ?? (await adapter.requestAdapterInfo?.().catch(() => undefined)) ?? {};
  const description = [info["vendor"], info["architecture"], info["device"], info["description"]]
    .filter((s) => s !== undefined && s !== "")
    .join(" ") || "unnamed adapter";
  const software = adapter.isFallbackAdapter === true || info["isFallbackAdapter"] === true || SOFTWARE_ADAPTER.test(description);
  return software ? { kind: "software", description } : { kind: "hardware", description };
}

/**
 * Turns tfjs's console hints off. Its `PROD` flag gates only `log.warn`/`log.log` in tfjs-core 4.22 (no checks), and
 * the cpu backend prints through it, on first use under Node, a banner asking to install tfjs-node; this module
 * already chooses the backend and says why.
 */
export function quietTfjs(): void {
  tf.env().set("PROD", true);
}

async function activate(name: string): Promise<void> {
  quietTfjs();
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend("${name}") failed`);
  await tf.ready();
  await registerGradients();
}

/** Sets up tfjs-node(-gpu); reports whether TensorFlow runs on a GPU device. */
async function tryNode(which: "tensorflow-gpu" | "tensorflow"): Promise<{ loaded: false } | { loaded: true; gpu: boolean }> {
  const mod = await importOptional(PACKAGES[which]);
  if (mod === null) return { loaded: false };
  await activate("tensorflow");
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
  return { loaded: true, gpu: backend.isUsingGpuDevice === true };
}

async function useWasm(reason: string): Promise<BackendChoice> {
  if ((await importOptional(PACKAGES.wasm)) === null) {
    throw new BackendUnavailableError("wasm", `${PACKAGES.wasm} is not installed`, installCommand(PACKAGES.wasm));
  }
  await activate("wasm");
  registerWasmKernels();
  return { name: "wasm", reason };
}

async function useCpu(reason: string): Promise<BackendChoice> {
  if ((await importOptional(PACKAGES.cpu)) === null) {
    throw new BackendUnavailableError("cpu", `${PACKAGES.cpu} is not installed`, installCommand(PACKAGES.cpu));
  }
  await activate("cpu");
  return { name: "cpu", reason };
}

async function useWebGpu(description: string, software: boolean): Promise<BackendChoice | null> {
  if ((await importOptional(PACKAGES.webgpu)) === null) return null;
  await activate("webgpu");
  return {
    name: "webgpu",
    reason: software
      ? `webgpu on a software adapter (${description}), as asked; this is not a GPU and is slow`
      : `webgpu on ${description}`,
  };
}

/**
 * Chooses, loads and activates a TF.js backend, and says why.
 *
 * `auto` takes, in order: WebGPU when `navigator.gpu` offers a hardware adapter (a software one such as llvmpipe
 * or SwiftShader is not a GPU); `@tensorflow/tfjs-node-gpu` when installed and it sees a GPU;
 * `@tensorflow/tfjs-node`; `wasm` (with this package's kernel fixes); `cpu`. Optional packages are imported
 * only when tried. The same code runs under Node, Bun and Deno. Gradients are registered too (`registerGradients`).
 *
 * @param preference a backend name, or `auto`
 * @returns the backend now active and the reason it was taken
 * @throws {BackendUnavailableError} when a named backend cannot run; its message holds the install command
 * @example
 * const { name, reason } = await selectBackend("auto"); console.error(`backend ${name}: ${reason}`);
 */
export async function selectBackend(preference: BackendPreference = "auto"): Promise<BackendChoice> {
  switch (preference) {
    case "cpu":
      return useCpu("cpu, as asked");
    case "wasm":
      return useWasm("wasm, as asked");
    case "webgpu": {
      const probe = await probeWebGpu();
      if (probe.kind === "none") throw new BackendUnavailableError("webgpu", probe.why, null);
      const choice = await useWebGpu(probe.description, probe.kind === "software");
      if (choice === null) {
        throw new BackendUnavailableError("webgpu", `${PACKAGES.webgpu} is not installed`, installCommand(PACKAGES.webgpu));
      }
      return choice;
    }
    case "tensorflow-gpu": {
      const node = await tryNode("tensorflow-gpu");
      if (!node.loaded) {
        const pkg = PACKAGES["tensorflow-gpu"];
        throw new BackendUnavailableError("tensorflow-gpu", `${pkg} is not installed`, installCommand(pkg));
      }
      if (!node.gpu) {
        throw new BackendUnavailableError(
          "tensorflow-gpu",
          "TensorFlow sees no usable GPU (tfjs-node-gpu 4.22 needs CUDA 11.2 and cuDNN 8.1)",
          null,
        );
      }
      return { name: "tensorflow-gpu", reason: "tfjs-node-gpu, as asked; TensorFlow runs on a GPU" };
    }
    case "tensorflow": {
      const node = await tryNode("tensorflow");
      if (!node.loaded) {
        throw new BackendUnavailableError("tensorflow", `${PACKAGES.tensorflow} is not installed`, installCommand(PACKAGES.tensorflow));
      }
      return { name: "tensorflow", reason: "tfjs-node (native TensorFlow on the CPU), as asked" };
    }
    case "auto":
      return selectAuto();
  }
}

async function selectAuto(): Promise<BackendChoice> {
  const skipped: string[] = [];
  const probe = await probeWebGpu();
  if (probe.kind === "hardware") {
    const choice = await useWebGpu(probe.description, false);
    if (choice !== null) return { name: "webgpu", reason: `${choice.reason} (a hardware GPU adapter)` };
    skipped.push(`a GPU adapter is present but ${PACKAGES.webgpu} is not installed`);
  } else if (probe.kind === "software") {
    // A software adapter (llvmpipe, SwiftShader: ~1 GFLOP/s) is slower than wasm; `--backend webgpu` still takes it.
    skipped.push(`webgpu offers only a software adapter (${probe.description}), slower than wasm (ask for it with --backend webgpu)`);
  } else {
    skipped.push(probe.why);
  }
  const gpuNode = await tryNode("tensorflow-gpu");
  if (gpuNode.loaded && gpuNode.gpu) {
    return { name: "tensorflow-gpu", reason: `tfjs-node-gpu sees a GPU; ${skipped.join("; ")}` };
  }
  if (gpuNode.loaded) {
    return { name: "tensorflow", reason: `tfjs-node-gpu is installed but sees no GPU, so it runs on the CPU; ${skipped.join("; ")}` };
  }
  skipped.push(`${PACKAGES["tensorflow-gpu"]} is not installed`);
  const node = await tryNode("tensorflow");
  if (node.loaded) return { name: "tensorflow", reason: `tfjs-node (native TensorFlow on the CPU); ${skipped.join("; ")}` };
  skipped.push(`${PACKAGES.tensorflow} is not installed`);
  try {
    return await useWasm(`wasm (single-threaded); ${skipped.join("; ")}`);
  } catch (e) {
    skipped.push(`wasm failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return useCpu(`cpu; ${skipped.join("; ")}`);
}
