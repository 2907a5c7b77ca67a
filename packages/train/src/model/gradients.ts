// registerGradients: registers tfjs-core's own op gradients, the same set in Node, Bun and Deno.

let done: Promise<void> | null = null;

/**
 * Register every op gradient of tfjs-core (training needs them; tfjs-core's main entry does not register them).
 *
 * tfjs-core ships its gradients only as extension-less ES modules, which plain Node ESM and Deno cannot load, so
 * `npm install` bundles them into `src/_tfjs-gradients.js` (and `dist/`) with `scripts/bundle-tfjs-gradients.mjs`.
 * Idempotent; `selectBackend` calls it.
 *
 * @example
 * await registerGradients(); // before the first tf.grad / optimizer.minimize
 */
export function registerGradients(): Promise<void> {
  done ??= import("../_tfjs-gradients.js").then(
    () => undefined,
    (error: unknown) => {
      done = null;
      throw new Error(
        `Cannot register tfjs-core gradients: src/_tfjs-gradients.js is missing or broken (run \`npm run prepare\`): ${(error as Error).message}`,
      );
    },
  );
  return done;
}

