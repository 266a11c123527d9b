// Loaded with `node --import ./tests/js/register.mjs`: lets the widget's modules import
// JSON (`import palette from "../palette.json"`) as esbuild does, without an import
// attribute, so that Node can load them as the bundle does.
import { register } from "node:module";

register("./json-hook.mjs", import.meta.url);
