// Preference conversations → token ids with label masks on the response tokens (every assistant turn).

/** One chat message as chat templates read it. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What tokenization needs of a tokenizer: render a chat template and encode the rendered text as is. */
export interface TemplateTokenizer {
  /** Renders messages with the model's chat template (special tokens such as BOS appear in the text). */
  applyChatTemplate(messages: readonly ChatMessage[], options: { addGenerationPrompt: boolean }): string;
  /** Encodes rendered text without adding special tokens of its own. */
  encode(text: string): number[];
}

/**
 * The dialogues of one preference pair, as `@longpo/prefgen`'s `longDialogue` / `shortDialogue` build them:
 * the policy's long dialogues end with the assistant answers of each side; the short ones are one per turn
 * (chunk_i + question_i, then the answer) and are what the LongPO reference scores.
 */
export interface PairDialogues {
  id: string;
  longChosen: readonly ChatMessage[];
  longRejected: readonly ChatMessage[];
  shortChosen: readonly (readonly ChatMessage[])[];
  shortRejected: readonly (readonly ChatMessage[])[];
  /** Σ over turns of log π_ref(chosen_i | short input_i), when precomputed. */
  refChosenLogps?: number | null;
  refRejectedLogps?: number | null;
}

/** Token ids of one sequence and a 0/1 mask of the tokens that count (the response tokens). */
export interface TokenizedSequence {
  ids: number[];
  labelMask: number[];
}

/**
 * Tokenize a dialogue so that only assistant tokens are labels. Each assistant turn's span is found by
 * rendering the dialogue up to the turn (with the generation prompt) and up to its end, as TRL does; the
 * whole dialogue is encoded once, so a boundary that the tokenizer merges differently is detected.
 *
 * @throws {RangeError} when the dialogue has no assistant turn or a prefix does not tokenize as a prefix.
 */
export function tokenizeDialogue(tok: TemplateTokenizer, messages: readonly ChatMessage[]): TokenizedSequence {
  const ids = tok.encode(tok.applyChatTemplate(messages, { addGenerationPrompt: false }));
  const labelMask = new Array<number>(ids.length).fill(0);
  let assistants = 0;
  for (let i = 0; i < messages.length; i++) {
    if (messages[i]?.role !== "assistant") continue;
    assistants++;
    const start = tok.encode(tok.applyChatTemplate(messages.slice(0, i), { addGenerationPrompt: true })).length;
    const end = tok.encode(tok.applyChatTemplate(messages.slice(0, i + 1), { addGenerationPrompt: false })).length;
    if (end > ids.length || start > end) {
      throw new RangeError(`Cannot tokenize dialogue: turn ${i} must tokenize as a prefix of the whole, got span ${start}..${end} of ${ids.length}`);
    }
    for (let t = start; t < end; t++) labelMask[t] = 1;
  }
  if (assistants === 0) throw new RangeError("Cannot tokenize dialogue: it must hold an assistant turn, got none");
  return { ids, labelMask };
}

/** The tokenized sequences one training pair needs. */
export interface TrainingExample {
  id: string;
  /** The policy's chosen dialogue on the long input. */
  chosen: TokenizedSequence;
  /** The policy's rejected dialogue on the long input. */
  rejected: TokenizedSequence;
  /** Sequences the reference scores; their summed log-probs are the reference chosen log-prob. */
  refChosen: TokenizedSequence[];
  refRejected: TokenizedSequence[];
  refChosenLogps?: number;
  refRejectedLogps?: number;
}

/**
 * Build the policy and reference sequences of a pair. With `referenceInput: "short"` (LongPO) the reference
 * scores each turn alone on its short input; with `"long"` (the DPO baseline) it scores the same long
 * dialogues as the policy, so precomputed (short) reference log-probs are ignored.
 */
export function buildTrainingExample(
  tok: TemplateTokenizer,
  pair: PairDialogues,
  referenceInput: "short" | "long",
): TrainingExample {
  const chosen = tokenizeDialogue(tok, pair.longChosen);
  const rejected = tokenizeDialogue(tok, pair.longRejected);
  const example: TrainingExample = {
    id: pair.id,
    chosen,
    rejected,
    refChosen: referenceInput === "long" ? [chosen] : pair.shortChosen.map((d) => tokenizeDialogue(tok, d)),
    refRejected: referenceInput === "long" ? [rejected] : pair.shortRejected.map((d) => tokenizeDialogue(tok, d)),
  };
  if (referenceInput === "short" && typeof pair.refChosenLogps === "number" && typeof pair.refRejectedLogps === "number") {
    example.refChosenLogps = pair.refChosenLogps;
    example.refRejectedLogps = pair.refRejectedLogps;
  }
  return example;
}
