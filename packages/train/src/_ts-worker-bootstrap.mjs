// Dev only (Node running the TypeScript sources, i.e. vitest): register a loader that strips types from .ts files
// and resolves workspace packages through their "source" condition, then import the worker's real entry.
import { register } from "node:module";
import { workerData } from "node:worker_threads";

register(new URL("./_ts-loader-hooks.mjs", import.meta.url));
await import(workerData.longpoTsEntry);
