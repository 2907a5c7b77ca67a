// The quick starts of every README (root and packages/*), extracted from their fenced blocks so tests run them verbatim.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** How a quick start runs: a TypeScript file under Bun or Deno, a shell script from the repository root, or by hand. */
export type QuickStartRuntime = "bun" | "deno" | "sh" | "manual";

/** One quick start: the first fenced block under a "Quick start" (or "Set-up") heading of a README. */
export interface QuickStart {
  /** README path relative to the repository root. */
  readme: string;
  heading: string;
  lang: string;
  runtime: QuickStartRuntime;
  /** Why a manual one is not run by the test (from its marker). */
  reason?: string;
  code: string;
  /** The ```text block that follows the quick start, if any: lines its output must contain. */
  expected?: string;
}

const HEADING = /^(#{2,3}) (Quick start|Set-up)\b(.*)$/i;
const MARKER = /^<!-- quick start: (bun|deno|sh|manual)(?: — (.*?))? -->$/;

/**
 * The quick starts of one README. A section whose heading starts with "Quick start" or "Set-up" holds one: the first
 * fenced block in it. An HTML comment `<!-- quick start: bun|deno|sh|manual — reason -->` before the block says how
 * it runs; without one, a `ts` block runs under Bun and a `sh` block under bash.
 * @throws {Error} naming the README and heading when a quick-start section has no fenced block
 */
export function quickStartsOf(markdown: string, readme: string): QuickStart[] {
  const lines = markdown.split("\n");
  const out: QuickStart[] = [];
  for (let i = 0; i < lines.length; i++) {
    const h = HEADING.exec(lines[i] as string);
    if (h === null) continue;
    const heading = (lines[i] as string).replace(/^#+ /, "");
    let marker: RegExpExecArray | null = null;
    let j = i + 1;
    for (; j < lines.length && !/^#{1,3} /.test(lines[j] as string) && !(lines[j] as string).startsWith("```"); j++) {
      marker = MARKER.exec((lines[j] as string).trim()) ?? marker;
    }
    if (j >= lines.length || !(lines[j] as string).startsWith("```")) throw new Error(`${readme}: section "${heading}" has no fenced block`);
    const lang = (lines[j] as string).slice(3).trim();
    const end = lines.indexOf("```", j + 1);
    if (end < 0) throw new Error(`${readme}: the block under "${heading}" is not closed`);
    const code = `${lines.slice(j + 1, end).join("\n")}\n`;
    let expected: string | undefined;
    for (let k = end + 1; k < lines.length && !/^#{1,3} /.test(lines[k] as string); k++) {
      if ((lines[k] as string).startsWith("```")) {
        if ((lines[k] as string) === "```text") expected = lines.slice(k + 1, lines.indexOf("```", k + 1)).join("\n");
        break;
      }
    }
    const runtime = (marker?.[1] as QuickStartRuntime | undefined) ?? (lang === "ts" ? "bun" : "sh");
    out.push({ readme, heading, lang, runtime, code, ...(marker?.[2] ? { reason: marker[2] } : {}), ...(expected === undefined ? {} : { expected }) });
    i = end;
  }
  return out;
}

/** Every README of the repository: the root one, then `packages/<name>/README.md` in name order. */
export function readmePaths(root: string): string[] {
  const packages = readdirSync(join(root, "packages")).sort().map((p) => join("packages", p, "README.md"));
  return ["README.md", ...packages.filter((p) => existsSync(join(root, p)))];
}

/** The quick starts of every README of the repository at `root`. */
export function allQuickStarts(root: string): QuickStart[] {
  return readmePaths(root).flatMap((p) => quickStartsOf(readFileSync(join(root, p), "utf8"), p));
}
