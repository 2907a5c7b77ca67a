import { chunkDocument, createWordTokenizer, joinChunks, keepHeadAndTail, selectByBm25 } from "@longpo/compress";

const tokenizer = createWordTokenizer(); // for examples; a real model's: adaptTransformersTokenizer(...)
const document = "The king is dead.\n\nLong live the queen.\n\nA ghost walks the walls.\n\nThe queen drinks the wine.";
const chunks = chunkDocument(document, tokenizer, { maxTokens: 8 }); // whole paragraphs, ≤ 8 tokens each
const long = joinChunks(chunks); // the long context (here the document itself) and its token count
const short = selectByBm25(chunks, "What does the queen drink?", { budget: 14 }); // best chunks within 14 tokens
const cut = keepHeadAndTail(tokenizer)(document, { budget: 10 }); // a Compressor: head + tail, spans recorded
console.log(chunks.length, long.tokens, short.map((c) => c.text), cut);
