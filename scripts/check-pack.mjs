// À la carte check: pack every package, install each tarball alone (its @longpo/* dependencies from the packed
// tarballs, everything else from the npm cache, offline) into an empty folder, and run its README quick start under
// Node from dist/. The install is `npm ci --offline` on a lockfile cut from the repository's own package-lock.json,
// since the npm cache holds tarballs but not the registry's package documents that a lockless install would ask for.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import ts from "typescript";

const root = new URL("..", import.meta.url).pathname;
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")).packages;
const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const keep = process.argv.includes("--keep");
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const work = mkdtempSync(join(tmpdir(), "longpo-pack-"));
const started = Date.now();
const log = (line) => console.log(`check-pack: ${line} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

/** Every workspace package: folder, manifest, and the lock key of its installed link. */
const packages = readdirSync(join(root, "packages")).sort().map((dir) => {
  const manifest = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"));
  return { dir: `packages/${dir}`, manifest };
});
const byName = new Map(packages.map((p) => [p.manifest.name, p]));
const dirToName = new Map(packages.map((p) => [p.dir, p.manifest.name]));

// 1. Pack each package into work/tarballs.
const tarballs = join(work, "tarballs");
mkdirSync(tarballs);
for (const p of packages) {
  const [info] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", tarballs], { cwd: join(root, p.dir), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
  p.tarball = join(tarballs, info.filename);
  p.integrity = info.integrity;
}
log(`packed ${packages.length} packages into ${tarballs}`);

/** Resolve `name` from the lock entry at `from` as Node does: nearest node_modules upward. */
function resolveInLock(name, from) {
  let base = from;
  for (;;) {
    const key = `${base === "" ? "" : `${base}/`}node_modules/${name}`;
    if (lock[key] !== undefined) return key;
    if (base === "") return undefined;
    const i = base.lastIndexOf("/node_modules/");
    base = i < 0 ? (base.startsWith("node_modules/") ? "" : base.split("/").slice(0, -2).join("/")) : base.slice(0, i);
  }
}

/** The lockfile of an install of `target` (+ `extra` registry packages): @longpo/* from tarballs, the rest copied from the repository's lock. */
function cutLock(target, extra) {
  const out = { "": { name: `alacarte-${target.dir.split("/")[1]}`, dependencies: {} } };
  const queue = [];
  const add = (name, fromRepo) => {
    const local = byName.get(name);
    if (local !== undefined) {
      const path = `node_modules/${name}`;
      if (out[path] !== undefined) return;
      out[path] = { version: local.manifest.version, resolved: `file:${relative(join(work, "x"), local.tarball)}`, integrity: local.integrity, dependencies: local.manifest.dependencies ?? {}, ...(local.manifest.bin === undefined ? {} : { bin: local.manifest.bin }) }; // npm ci links bins from the lock
      queue.push({ repoPath: local.dir, deps: { ...(local.manifest.dependencies ?? {}), ...requiredPeers(local.manifest) } });
      return;
    }
    const key = resolveInLock(name, fromRepo);
    if (key === undefined) throw new Error(`cannot resolve ${name} from ${fromRepo || "the root"} in package-lock.json`);
    const entry = lock[key];
    // Workspace-nested entries (packages/x/node_modules/y) move under the installed package's folder.
    const target = key.replace(/^(packages\/[^/]+)\//, (_, dir) => `node_modules/${dirToName.get(dir)}/`);
    if (out[target] !== undefined) return;
    const { dev: _dev, devOptional: _devOptional, ...copied } = entry; // npm recomputes these flags for this root
    out[target] = copied;
    queue.push({ repoPath: key, deps: { ...(entry.dependencies ?? {}), ...(entry.optionalDependencies ?? {}), ...requiredPeers(entry) } });
  };
  for (const name of [target.manifest.name, ...extra]) {
    out[""].dependencies[name] = byName.has(name) ? `file:${relative(join(work, "x"), byName.get(name).tarball)}` : (lock[`node_modules/${name}`]?.version ?? "*");
    add(name, "");
  }
  while (queue.length > 0) {
    const { repoPath, deps } = queue.shift();
    for (const name of Object.keys(deps)) {
      if (byName.has(name)) add(name, repoPath);
      else if (resolveInLock(name, repoPath) !== undefined) add(name, repoPath);
      else if (!(lock[repoPath]?.optionalDependencies ?? {})[name]) throw new Error(`cannot resolve ${name} (needed by ${repoPath}) in package-lock.json`);
    }
  }
  return { name: out[""].name, lockfileVersion: 3, requires: true, packages: out };
}

function requiredPeers(manifest) {
  const meta = manifest.peerDependenciesMeta ?? {};
  return Object.fromEntries(Object.entries(manifest.peerDependencies ?? {}).filter(([n]) => meta[n]?.optional !== true));
}

/** The quick start of a package README, as Node runs it: a ```ts block with its types stripped, or the lines of a sh block. */
function quickStartOf(p) {
  const md = readFileSync(join(root, p.dir, "README.md"), "utf8");
  const installed = /## From an installed [^\n]*\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(md);
  if (installed !== null) return { kind: "sh", code: installed[1].split("\n").filter((l) => !/^npm (install|i) /.test(l)).join("\n") };
  const block = /## Quick start[^\n]*\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(md);
  if (block === null) throw new Error(`${p.dir}/README.md has no quick start to run`);
  const js = ts.transpileModule(block[1], { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } }).outputText;
  return { kind: "node", code: js };
}

/** Packages a quick start imports that are not among its package's dependencies (the README says to install them). */
function extraImports(p, code) {
  const declared = new Set([p.manifest.name, ...Object.keys(p.manifest.dependencies ?? {}), ...Object.keys(requiredPeers(p.manifest))]);
  const names = [...code.matchAll(/from "([^"]+)"|import "([^"]+)"/g)].map((m) => m[1] ?? m[2]).map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]));
  return [...new Set(names)].filter((n) => !declared.has(n) && !n.startsWith("node:"));
}

let failed = 0;
// No network: every proxy points at a closed local port, so any download (npm's or an install script's, such as
// onnxruntime-node's CUDA fetch, which package.json's allowScripts must keep from running) fails the check.
const offline = "http://127.0.0.1:9";
const env = { ...process.env, HTTP_PROXY: offline, HTTPS_PROXY: offline, http_proxy: offline, https_proxy: offline, npm_config_proxy: offline, npm_config_https_proxy: offline, npm_config_update_notifier: "false" };
for (const p of packages.filter((q) => only.length === 0 || only.some((o) => q.dir.endsWith(o)))) {
  const dir = join(work, p.dir.split("/")[1]);
  mkdirSync(dir);
  try {
    const quick = quickStartOf(p);
    const extra = quick.kind === "node" ? extraImports(p, quick.code) : [];
    const lockfile = cutLock(p, extra);
    writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: lockfile.name, private: true, type: "module", dependencies: lockfile.packages[""].dependencies, allowScripts: rootManifest.allowScripts }, null, 2)}\n`);
    writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify(lockfile, null, 2)}\n`);
    execFileSync("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--loglevel", "error"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    log(`${p.manifest.name}: installed alone (${Object.keys(lockfile.packages).length - 1} packages${extra.length > 0 ? `, plus ${extra.join(", ")} that the quick start imports` : ""})`);
    const run = quick.kind === "node"
      ? (writeFileSync(join(dir, "quick-start.mjs"), quick.code), spawnSync("node", ["quick-start.mjs"], { cwd: dir, env, encoding: "utf8" }))
      : spawnSync("bash", ["-e", "-c", quick.code], { cwd: dir, env: { ...env, PATH: `${join(dir, "node_modules", ".bin")}:${env.PATH}` }, encoding: "utf8" });
    if (run.status !== 0) throw Object.assign(new Error(`the quick start exited ${run.status}`), { stdout: run.stdout, stderr: run.stderr });
    const noise = [/npm warn/i, /Hi, looks like you are running TensorFlow\.js/].find((re) => re.test(run.stdout + run.stderr));
    if (noise !== undefined) throw Object.assign(new Error(`the quick start printed ${noise}`), { stdout: run.stdout, stderr: run.stderr });
    const out = run.stdout;
    const resolved = new URL(execFileSync("node", ["--input-type=module", "-e", `console.log(import.meta.resolve("${p.manifest.name}"))`], { cwd: dir, encoding: "utf8" }).trim()).pathname;
    if (!resolved.includes("/dist/")) throw new Error(`${p.manifest.name} resolved to ${resolved}, not dist/`);
    log(`${p.manifest.name}: quick start ran under Node ${process.version} from ${relative(dir, resolved)}; it printed ${out.trim().split("\n").length} lines, the last: ${out.trim().split("\n").at(-1)}`);
  } catch (e) {
    failed += 1;
    console.error(`check-pack: ${p.manifest.name} FAILED: ${e.message}\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}
if (!keep) rmSync(work, { recursive: true, force: true });
else log(`kept ${work}`);
process.exit(failed === 0 ? 0 : 1);
