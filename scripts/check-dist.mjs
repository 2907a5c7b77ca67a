// Node 20 cannot run TypeScript: check that the built dist/ of every package imports under plain Node,
// exactly as a user of the published packages would import it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
let failed = 0;
for (const dir of readdirSync(join(root, "packages")).sort()) {
  const { name } = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"));
  try {
    const mod = await import(name);
    const names = Object.keys(mod);
    if (names.length === 0) throw new Error("exports nothing");
    console.log(`dist check: ${name} imports under Node ${process.version} (${names.length} exports)`);
  } catch (error) {
    failed += 1;
    console.error(`dist check: ${name} failed to import from dist/ (run \`npm run build\`): ${error.message}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
