// Module hooks (see register.mjs), so that Node loads the widget's sources as esbuild does:
// - a .json file is a module whose default export is its data;
// - a .js file of viz/js is an ES module. The project's package.json does not say
//   `"type": "module"`: that would reach every .js under the project, the virtual
//   environment's included (JupyterLab's CommonJS build scripts in .venv).
import { readFile } from "node:fs/promises";

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:")) return nextLoad(url, context);
  if (url.endsWith(".json")) {
    const text = await readFile(new URL(url), "utf8");
    return { format: "module", source: `export default ${text};`, shortCircuit: true };
  }
  if (url.includes("/viz/js/") && url.endsWith(".js")) {
    return nextLoad(url, { ...context, format: "module" });
  }
  return nextLoad(url, context);
}
