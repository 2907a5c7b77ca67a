// Checks that every package's package.json and deno.json agree, and that the root workspaces list the same packages.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

/** One disagreement between manifests, worded for a person. */
export type ManifestProblem = string;

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`Cannot read manifest ${file}: ${(error as Error).message}`);
  }
}

function denoExport(denoJson: Record<string, unknown>): unknown {
  const exports = denoJson.exports;
  return typeof exports === "string" ? exports : (exports as Record<string, unknown> | undefined)?.["."];
}

/**
 * Compare the manifests of every package under `root/packages`.
 * @returns the problems found; empty when all agree.
 */
export function checkManifests(root: string): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const packagesDir = join(root, "packages");
  const names = readdirSync(packagesDir).filter((n) => existsSync(join(packagesDir, n, "package.json"))).sort();
  for (const dir of names) {
    const pkgFile = join(packagesDir, dir, "package.json");
    const denoFile = join(packagesDir, dir, "deno.json");
    const pkg = readJson(pkgFile);
    if (!existsSync(denoFile)) {
      problems.push(`${denoFile}: missing (every package needs one)`);
      continue;
    }
    const deno = readJson(denoFile);
    const expectedName = `@longpo/${dir}`;
    if (pkg.name !== expectedName) problems.push(`${pkgFile}: name is ${JSON.stringify(pkg.name)}, expected "${expectedName}"`);
    if (deno.name !== pkg.name) problems.push(`${denoFile}: name ${JSON.stringify(deno.name)} differs from package.json's ${JSON.stringify(pkg.name)}`);
    if (deno.version !== pkg.version) problems.push(`${denoFile}: version ${JSON.stringify(deno.version)} differs from package.json's ${JSON.stringify(pkg.version)}`);
    if (pkg.type !== "module") problems.push(`${pkgFile}: "type" must be "module"`);
    const dot = (pkg.exports as Record<string, Record<string, string>> | undefined)?.["."];
    const source = dot?.source;
    if (source === undefined) problems.push(`${pkgFile}: exports["."].source is missing`);
    else if (denoExport(deno) !== source) problems.push(`${denoFile}: export ${JSON.stringify(denoExport(deno))} differs from package.json's source export ${JSON.stringify(source)}`);
    if (source !== undefined && !existsSync(join(packagesDir, dir, source))) problems.push(`${pkgFile}: source export ${source} does not exist`);
  }
  const rootPkg = readJson(join(root, "package.json"));
  const rootDeno = readJson(join(root, "deno.json"));
  const npmMembers = ((rootPkg.workspaces as string[] | undefined) ?? []).filter((w) => w.startsWith("packages/")).map((w) => w.slice("packages/".length)).sort();
  const denoMembers = ((rootDeno.workspace as string[] | undefined) ?? []).map((w) => w.replace(/^\.\/packages\//, "")).sort();
  if (JSON.stringify(npmMembers) !== JSON.stringify(names)) problems.push(`package.json: workspaces list ${npmMembers.join(", ")} but packages/ holds ${names.join(", ")}`);
  if (JSON.stringify(denoMembers) !== JSON.stringify(names)) problems.push(`deno.json: workspace lists ${denoMembers.join(", ")} but packages/ holds ${names.join(", ")}`);
  return problems;
}

if ((import.meta as { main?: boolean }).main) {
  const problems = checkManifests(process.cwd());
  for (const p of problems) console.error(`manifest check: ${p}`);
  if (problems.length > 0) process.exit(1);
  console.log("manifest check: package.json and deno.json agree for every package");
}
