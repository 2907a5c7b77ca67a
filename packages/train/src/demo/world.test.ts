import { describe, expect, it } from "vitest";
import { FILLER_WORDS, fillerSentence } from "./filler.ts";
import { answerFrom, parseQuestion } from "./formats.ts";
import { sfc32 as createRng } from "@longpo/io";
import {
  createWorld,
  FACT_LENGTH,
  factLength,
  factWords,
  makeChunkedDocument,
  makeDocument,
  maxFactLength,
  maxValueWords,
  MULTI_TOKEN_ATTRIBUTES,
  questionText,
  sampleFacts,
  TEMPLATE_WORDS,
} from "./world.ts";

const world = createWorld();

// The longest filler sentence: clause of 3 + 1 + 3 + 1 + 3 = 11 words, ", conj" (2), another clause (11), "." (1).
const MAX_SENTENCE = 25;

describe("createWorld", () => {
  it("is deterministic for its config and changes with the seed", () => {
    expect(createWorld({ seed: 8 })).toEqual(world);
    expect(createWorld({ seed: 9 }).names).not.toEqual(world.names);
  });

  it("invents distinct one-word names that are not filler, template, attribute or value words", () => {
    expect(world.names).toHaveLength(400);
    expect(new Set(world.names).size).toBe(400);
    const other = new Set([...FILLER_WORDS, ...TEMPLATE_WORDS, ...world.attributes.flatMap((a) => [a.name, ...a.values])]);
    for (const name of world.names) {
      expect(name).toMatch(/^[a-z]+$/);
      expect(other.has(name)).toBe(false);
    }
    expect(new Set(world.words).size).toBe(world.words.length);
  });

  it("rejects attribute values that collide with filler words", () => {
    expect(() => createWorld({ attributes: [{ name: "color", values: ["red", "king"] }] })).toThrow(RangeError);
  });
});

describe("makeDocument", () => {
  it("has exactly the requested length in tokens and holds each fact once, intact", () => {
    const rng = createRng(3);
    for (const length of [30, 60, 240, 1000]) {
      const facts = sampleFacts(world, rng, 3);
      const doc = makeDocument(rng, { length, facts });
      expect(doc.tokens).toHaveLength(length);
      expect(doc.text.split(" ")).toHaveLength(length);
      expect(doc.facts).toHaveLength(3);
      for (const f of doc.facts) {
        expect(doc.tokens.slice(f.start, f.start + FACT_LENGTH)).toEqual(factWords(f));
        expect(doc.tokens.filter((t) => t === f.name)).toHaveLength(1);
      }
    }
  });

  it("places a fact at the requested depth, within half a filler sentence", () => {
    const rng = createRng(4);
    const length = 500;
    for (const depth of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]) {
      const [fact] = sampleFacts(world, rng, 1);
      const doc = makeDocument(rng, { length, facts: [fact!], depths: [depth] });
      const placed = doc.facts[0]!;
      // Filler is length - 7 tokens; the fact starts at the sentence boundary nearest to depth × that.
      expect(Math.abs(placed.start - depth * (length - FACT_LENGTH))).toBeLessThanOrEqual(MAX_SENTENCE / 2);
      expect(Math.abs(placed.depth - depth)).toBeLessThanOrEqual(MAX_SENTENCE / 2 / (length - FACT_LENGTH));
    }
  });

  it("places several facts at their depths, counting the facts before each one", () => {
    const rng = createRng(12);
    const length = 400;
    const depths = [0.8, 0.1, 0.5, 0.3];
    const facts = sampleFacts(world, rng, depths.length);
    const doc = makeDocument(rng, { length, facts, depths });
    for (const [i, fact] of facts.entries()) {
      const placed = doc.facts.find((f) => f.name === fact.name)!;
      expect(Math.abs(placed.start - depths[i]! * (length - FACT_LENGTH))).toBeLessThanOrEqual(MAX_SENTENCE / 2);
    }
  });

  it("puts depth 0 at the first token and depth 1 at the last fact slot", () => {
    const rng = createRng(5);
    const facts = sampleFacts(world, rng, 2);
    const doc = makeDocument(rng, { length: 100, facts, depths: [0, 1] });
    const byName = new Map(doc.facts.map((f) => [f.name, f]));
    expect(byName.get(facts[0]!.name)!.start).toBe(0);
    expect(byName.get(facts[1]!.name)!.start).toBe(100 - FACT_LENGTH);
    expect(byName.get(facts[1]!.name)!.depth).toBe(1);
  });

  it("is deterministic for a seed", () => {
    const make = (seed: number) => {
      const rng = createRng(seed);
      return makeDocument(rng, { length: 200, facts: sampleFacts(world, rng, 4) });
    };
    expect(make(11)).toEqual(make(11));
    expect(make(11).text).not.toBe(make(12).text);
  });

  it("rejects facts that do not fit and depths outside [0, 1]", () => {
    const rng = createRng(6);
    const facts = sampleFacts(world, rng, 3);
    expect(() => makeDocument(rng, { length: 20, facts })).toThrow(RangeError);
    expect(() => makeDocument(rng, { length: 50, facts, depths: [1.5] })).toThrow(RangeError);
  });

  it("never emits a world name, attribute or value from the filler grammar", () => {
    const rng = createRng(7);
    const special = new Set([...world.names, ...world.attributes.flatMap((a) => [a.name, ...a.values]), ":", "?"]);
    for (let i = 0; i < 500; i++) {
      const sentence = fillerSentence(rng);
      expect(sentence.length).toBeLessThanOrEqual(MAX_SENTENCE);
      for (const w of sentence) expect(special.has(w)).toBe(false);
    }
  });
});

describe("makeChunkedDocument", () => {
  it("joins chunks into one long document with names unique across chunks", () => {
    const rng = createRng(8);
    const { chunks, document } = makeChunkedDocument(world, rng, { chunks: 4, chunkLength: 60, factsPerChunk: [2, 3] });
    expect(chunks).toHaveLength(4);
    expect(document.tokens).toHaveLength(240);
    expect(document.tokens).toEqual(chunks.flatMap((c) => c.tokens));
    const names = document.facts.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(document.facts.length).toBe(chunks.reduce((n, c) => n + c.facts.length, 0));
    for (const f of document.facts) expect(document.tokens.slice(f.start, f.start + FACT_LENGTH)).toEqual(factWords(f));
  });

  it("restates the configured number of earlier facts in every later chunk, after their first mention", () => {
    const rng = createRng(11);
    const { chunks, document } = makeChunkedDocument(world, rng, { chunks: 4, chunkLength: 64, factsPerChunk: [2, 3], restatementsPerChunk: 2 });
    expect(document.tokens).toHaveLength(256);
    expect(chunks[0]?.restatements).toBeUndefined(); // nothing earlier to restate
    for (const chunk of chunks.slice(1)) expect(chunk.restatements).toHaveLength(2);
    const restated = document.restatements ?? [];
    expect(restated).toHaveLength(6);
    for (const r of restated) {
      // The same sentence as the first mention, with the same value, and only later in the document.
      expect(document.tokens.slice(r.start, r.start + FACT_LENGTH)).toEqual(factWords(r));
      const first = document.facts.find((f) => f.name === r.name);
      expect(first?.value).toBe(r.value);
      expect(first!.start).toBeLessThan(r.start);
    }
    // Questions still have one answer: names of the document's own facts stay unique.
    const names = document.facts.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("draws the same document as before when restatements are off", () => {
    const a = makeChunkedDocument(world, createRng(12), { chunks: 4, chunkLength: 64, factsPerChunk: [2, 3] });
    const b = makeChunkedDocument(world, createRng(12), { chunks: 4, chunkLength: 64, factsPerChunk: [2, 3], restatementsPerChunk: 0 });
    expect(b.document.tokens).toEqual(a.document.tokens);
    expect(b.document.restatements).toBeUndefined();
    expect(() => makeChunkedDocument(world, createRng(12), { chunks: 2, chunkLength: 64, factsPerChunk: [2, 3], restatementsPerChunk: 1.5 })).toThrow(
      /restatementsPerChunk must be an integer >= 0, got 1.5/,
    );
  });

  it("asks questions that its facts answer, in the chunk and in the long document", () => {
    const rng = createRng(9);
    const { chunks, document } = makeChunkedDocument(world, rng, { chunks: 3, chunkLength: 80, factsPerChunk: [1, 3] });
    for (const chunk of chunks) {
      for (const f of chunk.facts) {
        const q = parseQuestion(world, questionText(f));
        expect(q).toEqual({ name: f.name, attribute: f.attribute });
        expect(answerFrom(chunk.facts, q!)).toBe(f.value);
        expect(answerFrom(document.facts, q!)).toBe(f.value);
      }
    }
  });
});

describe("a world with multi-word values", () => {
  const multi = createWorld({ attributes: MULTI_TOKEN_ATTRIBUTES.map((a) => ({ name: a.name, values: [...a.values] })) });

  it("has six attributes of twelve two-word values, where neither word alone determines the value", () => {
    expect(multi.attributes).toHaveLength(6);
    expect(maxValueWords(multi)).toBe(2);
    expect(maxFactLength(multi)).toBe(8);
    expect(maxValueWords(world)).toBe(1);
    expect(maxFactLength(world)).toBe(FACT_LENGTH);
    for (const a of multi.attributes) {
      expect(a.values).toHaveLength(12);
      expect(new Set(a.values).size).toBe(12);
      for (const v of a.values) {
        const [first, second] = v.split(" ");
        expect(v.split(" ")).toHaveLength(2);
        expect(a.values.filter((x) => x.startsWith(`${first} `)).length).toBeGreaterThan(1);
        expect(a.values.filter((x) => x.endsWith(` ${second}`)).length).toBeGreaterThan(1);
      }
    }
    expect(multi.attributes[0]?.values).toContain("pale teal");
  });

  it("has each value word once in its vocabulary (not the values themselves), and names apart from them", () => {
    expect(multi.words).toContain("pale");
    expect(multi.words).toContain("teal");
    expect(multi.words).not.toContain("pale teal");
    expect(new Set(multi.words).size).toBe(multi.words.length);
    const valueWords = new Set(multi.attributes.flatMap((a) => a.values.flatMap((v) => v.split(" "))));
    for (const name of multi.names) expect(valueWords.has(name)).toBe(false);
    // The default world is untouched by the option: its words are the one-word values.
    expect(world.words).toContain("teal");
  });

  it("rejects a value word that is a filler word or an attribute name, and a whole value given twice", () => {
    expect(() => createWorld({ attributes: [{ name: "color", values: ["dark teal", "pale teal"] }] })).toThrow(/"dark"/);
    expect(() => createWorld({ attributes: [{ name: "color", values: ["pale teal", "pale city"] }, { name: "city", values: ["rome", "oslo"] }] })).toThrow(
      /"city"/,
    );
    expect(() => createWorld({ attributes: [{ name: "color", values: ["pale teal", "pale teal"] }] })).toThrow(/"pale teal"/);
    expect(() => createWorld({ attributes: [{ name: "color", values: ["pale  teal", "red"] }] })).toThrow();
    // Words may recur across values, within an attribute and across attributes.
    expect(() => createWorld({ attributes: [{ name: "color", values: ["pale teal", "pale red"] }, { name: "fruit", values: ["pale lime", "fig"] }] })).not.toThrow();
  });

  it("writes a fact as 8 tokens with both value words, and places it intact at its depth", () => {
    const fact = { name: multi.names[0]!, attribute: "color", value: "pale teal" };
    expect(factWords(fact)).toEqual([fact.name, ":", "the", "color", "is", "pale", "teal", "."]);
    expect(factLength(fact)).toBe(8);
    const rng = createRng(21);
    for (const length of [40, 64, 300]) {
      const facts = sampleFacts(multi, rng, 3);
      const doc = makeDocument(rng, { length, facts });
      expect(doc.tokens).toHaveLength(length);
      for (const f of doc.facts) expect(doc.tokens.slice(f.start, f.start + 8)).toEqual(factWords(f));
    }
    const two = sampleFacts(multi, rng, 2);
    const ends = makeDocument(rng, { length: 100, facts: two, depths: [0, 1] });
    const byName = new Map(ends.facts.map((f) => [f.name, f]));
    expect(byName.get(two[0]!.name)!.start).toBe(0);
    expect(byName.get(two[1]!.name)!.start).toBe(100 - 8);
    expect(byName.get(two[1]!.name)!.depth).toBe(1);
    expect(() => makeDocument(rng, { length: 23, facts: sampleFacts(multi, rng, 3) })).toThrow(/>= 24 to hold 3 facts/);
  });

  it("joins chunks and restates facts with multi-word values intact; questions read the whole value back", () => {
    const rng = createRng(22);
    const { chunks, document } = makeChunkedDocument(multi, rng, { chunks: 4, chunkLength: 64, factsPerChunk: [2, 3], restatementsPerChunk: 1 });
    expect(document.tokens).toHaveLength(256);
    for (const f of [...document.facts, ...(document.restatements ?? [])]) {
      expect(document.tokens.slice(f.start, f.start + 8)).toEqual(factWords(f));
      expect(f.value.split(" ")).toHaveLength(2);
    }
    for (const chunk of chunks) {
      for (const f of chunk.facts) expect(answerFrom(document.facts, parseQuestion(multi, questionText(f))!)).toBe(f.value);
    }
  });
});
