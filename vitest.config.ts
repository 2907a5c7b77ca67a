// One vitest config for every package: sources resolve through the "source" export condition, no build needed.
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "scripts/**/*.test.ts"],
    setupFiles: ["scripts/vitest-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 120_000,
    // One model replica per command unless a test asks for more (--workers): vitest already runs files in parallel.
    env: { LONGPO_WORKERS: "1" },
    hookTimeout: 120_000,
  },
});
