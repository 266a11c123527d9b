// Module hook (see register.mjs): a .json file is a module whose default export is its data.
import { readFile } from "node:fs/promises";

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".json")) return nextLoad(url, context);
  const text = await readFile(new URL(url), "utf8");
  return { format: "module", source: `export default ${text};`, shortCircuit: true };
}
