// The demo world of a model: from an M0 recipe file, a model folder's m0-recipe.json, or the shipped M0's recipe.
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { M0Recipe } from "../demo/m0-recipe.ts";
import { createWorld, type World } from "../demo/world.ts";
import { InputError } from "./cli-io.ts";

/** Where the shipped M0 keeps its recipe. */
const SHIPPED_RECIPE = new URL("../../models/m0/m0-recipe.json", import.meta.url);

/**
 * The world of an M0 recipe: `path` is a recipe JSON file or a model folder (its `m0-recipe.json`); a folder without
 * one (a model trained from M0 keeps M0's vocabulary) gets the shipped M0's world.
 * @throws {InputError} naming the file when the recipe is not valid JSON or not an M0 recipe
 */
export async function readWorld(path: string): Promise<World> {
  const isDir = existsSync(path) && statSync(path).isDirectory();
  if (!isDir && !existsSync(path)) throw new InputError(`Cannot read the world: file ${path} does not exist`);
  const inFolder = join(path, "m0-recipe.json");
  const source = !isDir ? path : existsSync(inFolder) ? inFolder : SHIPPED_RECIPE;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(source, "utf8"));
  } catch (e) {
    throw new InputError(`Cannot read the world: ${String(source)} must be an M0 recipe JSON file (${(e as Error).message})`);
  }
  const parsed = M0Recipe.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`Cannot read the world: ${String(source)} field ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? ""}`);
  }
  return createWorld(parsed.data.world);
}
