// Types for the generated bundle of tfjs-core's gradient registry (scripts/bundle-tfjs-gradients.mjs): a side effect only.
export {};
