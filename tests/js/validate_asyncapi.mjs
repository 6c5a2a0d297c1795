// Parses an AsyncAPI document with the official parser (@asyncapi/parser, v3) and exits 1 if it
// reports any diagnostic of severity error; prints every diagnostic either way.
//   node validate_asyncapi.mjs [path]   (default: contracts/feed/asyncapi.json of this repository)
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const SEVERITY = { 0: "error", 1: "warning", 2: "information", 3: "hint" };
const path = process.argv[2] ?? fileURLToPath(new URL("../../contracts/feed/asyncapi.json", import.meta.url));

const { document, diagnostics } = await new Parser().parse(await readFile(path, "utf-8"), { source: path });
for (const d of diagnostics) {
  console.log(`${SEVERITY[d.severity]} ${d.code} at ${d.path.join(".") || "(root)"}: ${d.message}`);
}
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
if (errors.length > 0 || document === undefined) {
  console.log(`${path}: INVALID, ${errors.length} error(s)`);
  process.exit(1);
}
console.log(`${path}: valid AsyncAPI ${document.version()}, ${document.channels().length} channels, `
  + `${document.operations().length} operations, ${document.messages().length} messages`);
