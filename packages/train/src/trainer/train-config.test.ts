import { describe, expect, it } from "vitest";
import { buildTrainConfig, describeTrainConfig, TrainConfigError } from "./train-config.ts";

describe("buildTrainConfig", () => {
  it("fills LongPO's defaults as its authors run it: the paper's λ and schedule, the released code's β and whole-sequence NLL", () => {
    const { config } = buildTrainConfig({});
    expect(config).toMatchObject({ method: "longpo", beta: 0.01, lambda: 0.01, contextLossWeight: 1, learningRate: 5e-7, schedule: "cosine", warmupRatio: 0.1, weightDecay: 0, optimizer: "adamw", epochs: 1 });
    expect(config.batchSize * config.gradientAccumulation).toBe(8);
  });

  it("fills β and the NLL scope per method and never replaces a value the user set", () => {
    expect(buildTrainConfig({ method: "dpo" }).config).toMatchObject({ beta: 0.1, contextLossWeight: 0 });
    expect(buildTrainConfig({ method: "sft" }).config).toMatchObject({ contextLossWeight: 0 });
    expect(buildTrainConfig({ method: "ipo" }).config.beta).toBe(0.1);
    expect(buildTrainConfig({}, { method: "dpo" }).config.beta).toBe(0.1);
    expect(buildTrainConfig({ contextLossWeight: 0, beta: 0.1 }).config).toMatchObject({ method: "longpo", beta: 0.1, contextLossWeight: 0 });
    expect(buildTrainConfig({}, { contextLossWeight: "0" }).config).toMatchObject({ beta: 0.01, contextLossWeight: 0 });
  });

  it("applies and reports command-line overrides parsed by the field's type", () => {
    const { config, applied } = buildTrainConfig({ beta: 0.1, method: "longpo" }, { beta: "0.01", method: "dpo" });
    expect(config.beta).toBe(0.01);
    expect(config.method).toBe("dpo");
    expect(applied).toEqual(["beta = 0.01 (was 0.1)", 'method = "dpo" (was "longpo")']);
  });

  it("rejects an unknown key in the file with a one-line error naming it", () => {
    expect(() => buildTrainConfig({ learning_rate: 1 }))
      .toThrow(new TrainConfigError('Cannot read training config: unknown key "learning_rate" (did you mean "learningRate"?)'));
    expect(() => buildTrainConfig({ zzz: 1 }, {}, "cfg.json")).toThrow(new TrainConfigError('Cannot read training config: unknown key "zzz" in config file cfg.json'));
  });

  it("rejects an unknown override and a non-numeric value for a number", () => {
    expect(() => buildTrainConfig({}, { betta: "1" })).toThrow(/unknown config key/);
    expect(() => buildTrainConfig({}, { betta: "1" })).toThrow(/did you mean --beta\?/);
    expect(() => buildTrainConfig({}, { beta: "high" })).toThrow(/beta: it must be a decimal number, got "high"/);
    expect(() => buildTrainConfig({}, { learningRate: "0x10" })).toThrow(/learningRate: it must be a decimal number, got "0x10"/);
  });

  it("rejects impossible values and cross-field conflicts", () => {
    expect(() => buildTrainConfig({ beta: -1 })).toThrow(/beta/);
    expect(() => buildTrainConfig({ beta: -1 }, {}, "cfg.json")).toThrow(/beta .*\(from config file cfg\.json\)$/);
    expect(() => buildTrainConfig({ beta: 1 }, { beta: "-1" }, "cfg.json")).toThrow(/beta .*\(from the flag --beta -1\)$/);
    expect(() => buildTrainConfig({ batchSize: 1.5 })).toThrow(/batchSize/);
    expect(() => buildTrainConfig({ maxLength: 100, maxPromptLength: 200 })).toThrow(/maxPromptLength must be less than maxLength/);
    expect(() => buildTrainConfig({ optimizer: "adam", weightDecay: 0.1 })).toThrow(/weightDecay applies only to adamw/);
    expect(() => buildTrainConfig([])).toThrow(/must be a JSON object, got an array/);
  });

  it("describes every field on one line", () => {
    const lines = describeTrainConfig();
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.find((l) => l.includes("--beta"))).toMatch(/per method .*β.*0\.01 for longpo/);
    expect(lines.find((l) => l.includes("--lambda"))).toMatch(/0\.01 .*λ/);
  });
});
