import { PreTrainedTokenizer } from "@huggingface/transformers";
import { longDialogue, PreferencePair } from "@longpo/prefgen";
import { describe, expect, it } from "vitest";
import { answerFrom, parseQuestion, QG_INSTRUCTION, questionGrounding } from "./formats.ts";
import { countWorldTokens, type M0DataOptions, m0Dialogues, renderWorldChat, sftPair } from "./m0-data.ts";
import { buildWorldTokenizer } from "./world-tokenizer.ts";
import { createWorld, MULTI_TOKEN_ATTRIBUTES } from "./world.ts";

const world = createWorld();
const options: M0DataOptions = { docLength: [16, 64], factsPerDoc: [1, 3], maxSequence: 88, qgFirst: 0.5, qgInsert: 0.5, qgTarget: "random" };
const dialogues = m0Dialogues(world, options, 3, 300);

describe("m0Dialogues", () => {
  it("is deterministic for the seed", () => {
    expect(m0Dialogues(world, options, 3, 300)).toEqual(dialogues);
    expect(m0Dialogues(world, options, 4, 5)).not.toEqual(dialogues.slice(0, 5));
  });

  it("fits every dialogue in the sequence budget and alternates user and assistant turns", () => {
    for (const d of dialogues) {
      expect(countWorldTokens(d.messages)).toBeLessThanOrEqual(88);
      expect(d.messages.length % 2).toBe(0);
      d.messages.forEach((m, i) => expect(m.role).toBe(i % 2 === 0 ? "user" : "assistant"));
      expect(d.messages[0]!.content.startsWith(d.document)).toBe(true);
    }
  });

  it("answers every question from the document and writes only grounded questions", () => {
    let qa = 0;
    let qg = 0;
    for (const d of dialogues) {
      for (let i = 0; i < d.messages.length; i += 2) {
        const request = d.messages[i]!.content.split(" <q> ").at(-1)!.replace(/^<q> /, "");
        const answer = d.messages[i + 1]!.content;
        if (request === QG_INSTRUCTION) {
          qg++;
          expect(questionGrounding(world, answer, d.facts)).toBe("grounded");
        } else {
          qa++;
          expect(answerFrom(d.facts, parseQuestion(world, request)!)).toBe(answer);
        }
      }
    }
    // Both kinds occur often: about half the dialogues open with a question-writing turn.
    expect(qa).toBeGreaterThan(300);
    expect(qg).toBeGreaterThan(100);
  });

  it("rejects a sequence budget that cannot hold the first turn", () => {
    expect(() => m0Dialogues(world, { ...options, maxSequence: 80 }, 1, 1)).toThrow(RangeError);
  });

  it("renders like the tokenizer's Jinja chat template, token for token", () => {
    const files = buildWorldTokenizer(world);
    const tok = new PreTrainedTokenizer(files.tokenizerJson, files.tokenizerConfig);
    for (const d of dialogues.slice(0, 20)) {
      const jinja = tok.apply_chat_template(d.messages as never, { tokenize: false }) as string;
      expect(tok.encode(jinja)).toEqual(tok.encode(renderWorldChat(d.messages, false)));
      const prompt = tok.apply_chat_template(d.messages.slice(0, 1) as never, { tokenize: false, add_generation_prompt: true }) as string;
      expect(tok.encode(prompt)).toHaveLength(countWorldTokens(d.messages.slice(0, 1), true));
    }
  });
});

describe("sftPair", () => {
  it("is a valid PreferencePair whose chosen long dialogue is the SFT dialogue", () => {
    for (const d of dialogues.slice(0, 50)) {
      const pair = PreferencePair.parse(sftPair(d, 3));
      expect(longDialogue(pair, "chosen")).toEqual(d.messages);
      expect(pair.turns).toHaveLength(d.messages.length / 2);
    }
  });
});

describe("plain-text dialogues", () => {
  it("write a short document out again within the sequence budget, and change nothing when off", () => {
    const withCopy = m0Dialogues(world, { ...options, copy: 0.5 }, 3, 200);
    const copies = withCopy.filter((d) => d.messages[0]!.content.endsWith("<q> write the text ."));
    expect(copies.length).toBeGreaterThan(60);
    for (const d of copies) {
      expect(d.messages[1]!.content).toBe(d.document);
      expect(countWorldTokens(d.messages)).toBeLessThanOrEqual(88);
    }
    expect(m0Dialogues(world, { ...options, copy: 0 }, 3, 300)).toEqual(dialogues);
  });
});

describe("m0Dialogues, multi-word values", () => {
  const multi = createWorld({ attributes: MULTI_TOKEN_ATTRIBUTES.map((a) => ({ name: a.name, values: [...a.values] })) });
  const multiDialogues = m0Dialogues(multi, options, 3, 200);

  it("answers with the whole multi-word value, within the sequence budget", () => {
    let qa = 0;
    for (const d of multiDialogues) {
      expect(countWorldTokens(d.messages)).toBeLessThanOrEqual(88);
      for (let i = 0; i < d.messages.length; i += 2) {
        const request = d.messages[i]!.content.split(" <q> ").at(-1)!.replace(/^<q> /, "");
        if (request === QG_INSTRUCTION) continue;
        qa++;
        const answer = d.messages[i + 1]!.content;
        expect(answer.split(" ")).toHaveLength(2);
        expect(answerFrom(d.facts, parseQuestion(multi, request)!)).toBe(answer);
      }
    }
    expect(qa).toBeGreaterThan(200);
  });

  it("counts a multi-word answer's tokens in its SFT pair", () => {
    const d = multiDialogues.find((x) => !x.messages[0]!.content.endsWith(QG_INSTRUCTION))!;
    const pair = PreferencePair.parse(sftPair(d, 3));
    expect(pair.turns[0]!.chosen_tokens).toBe(2);
    expect(longDialogue(pair, "chosen")).toEqual(d.messages);
  });
});
