import * as tf from "@tensorflow/tfjs-core";
import { afterEach, describe, expect, it } from "vitest";
import { BackendUnavailableError, selectBackend } from "./backend.ts";

const g = globalThis as { navigator?: unknown };
const original = Object.getOwnPropertyDescriptor(globalThis, "navigator");

afterEach(() => {
  if (original === undefined) delete g.navigator;
  else Object.defineProperty(globalThis, "navigator", original);
});

/** A `navigator.gpu` whose only adapter is the given one (or none). */
function fakeGpu(adapter: unknown): void {
  Object.defineProperty(globalThis, "navigator", {
    value: { gpu: { requestAdapter: () => Promise.resolve(adapter) } },
    configurable: true,
    writable: true,
  });
}

describe("selectBackend", () => {
  it("takes wasm on auto here (no GPU, no tfjs-node) and says what it skipped", async () => {
    fakeGpu(null);
    const choice = await selectBackend("auto");
    expect(choice.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(choice.reason).toContain("navigator.gpu offers no adapter");
    expect(choice.reason).toContain("@tensorflow/tfjs-node is not installed");
  });

  it("does not count a software adapter (llvmpipe) as a GPU", async () => {
    fakeGpu({ info: { vendor: "mesa", architecture: "", device: "llvmpipe (LLVM 15.0.6, 256 bits)", description: "" } });
    const choice = await selectBackend("auto");
    expect(choice.name).toBe("wasm");
    expect(choice.reason).toContain("only a software adapter (mesa llvmpipe");
  });

  it("does not count a fallback adapter as a GPU, whatever its name (Deno reports it in adapter.info)", async () => {
    fakeGpu({ info: { vendor: "acme", architecture: "", device: "", description: "Acme Renderer", isFallbackAdapter: true } });
    const choice = await selectBackend("auto");
    expect(choice.name).toBe("wasm");
    expect(choice.reason).toContain("only a software adapter (acme Acme Renderer), slower than wasm");
  });

  it("fails for a named backend that is not installed, giving the install command", async () => {
    const error = await selectBackend("tensorflow").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).install).toBe("npm install @tensorflow/tfjs-node");
    expect((error as Error).message).toContain("install it with `npm install @tensorflow/tfjs-node`");
    await expect(selectBackend("tensorflow-gpu")).rejects.toThrow("npm install @tensorflow/tfjs-node-gpu");
  });

  it("fails for webgpu where the runtime offers no navigator.gpu", async () => {
    delete g.navigator;
    await expect(selectBackend("webgpu")).rejects.toThrow(/Cannot use backend webgpu: node has no navigator.gpu/);
  });

  it("sets up the named cpu and wasm backends", async () => {
    expect(await selectBackend("cpu")).toEqual({ name: "cpu", reason: "cpu, as asked" });
    expect(tf.getBackend()).toBe("cpu");
    expect((await selectBackend("wasm")).name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
  });
});
