// The pipeline settings shared by the kill-and-resume test's reference run and its child process.
export const CHILD_PIPELINE = {
  concurrency: 2,
  options: { chunk: { maxTokens: 120 }, seed: 11, batchSize: 2 },
} as const;
