import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { type AttentionMask, blockBias, blockBiasTensor } from "./attention.ts";
import { selectBackend } from "./backend.ts";

describe.each(["cpu", "wasm"] as const)("attention masks on %s", (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  // Row 0 has two left pads; 2 cached slots then 4 new queries; window 3.
  const mask: AttentionMask = {
    batch: 2,
    queryLength: 4,
    pastLength: 2,
    keyValid: Uint8Array.from([0, 0, 1, 1, 1, 1, /* row 1 */ 1, 1, 1, 1, 1, 1]),
    slidingWindow: 3,
  };
  const M = -1e9;

  it("lets a query see real keys at or before it and inside the window", () => {
    // queries t = 1..2 sit at cache indices 3 and 4; the window of index 3 starts at 1, so keys 1..4 are in range
    const { kStart, kEnd, bias } = blockBias(mask, 0, 1, 3);
    expect([kStart, kEnd]).toEqual([1, 5]);
    expect(Array.from(bias)).toEqual([
      M, 0, 0, M, // index 3: key 1 is padding, 2 and 3 visible, 4 is in the future
      M, 0, 0, 0, // index 4: key 1 left the window (4 − 1 = 3), 2..4 visible
    ]);
  });

  it("builds the same mask tensor as the JavaScript array", () => {
    for (const [b, t0, t1] of [[0, 0, 4], [0, 1, 3], [1, 2, 4], [1, 0, 1]] as const) {
      const got = tf.tidy(() => Array.from(blockBiasTensor(mask, b, t0, t1).dataSync()));
      expect(got).toEqual(Array.from(blockBias(mask, b, t0, t1).bias));
    }
  });
});
