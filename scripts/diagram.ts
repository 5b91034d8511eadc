// npm run diagram: regenerates docs/machine.mmd and the diagram section of README.md from the
// conversation machine's definition. `--check` only compares and exits 1 when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildDiagram, DIAGRAM_FILE, README_FILE, replaceReadmeDiagram } from './diagram-lib.ts';

const check = process.argv.includes('--check');
const mermaid = buildDiagram();
const readme = readFileSync(README_FILE, 'utf8');
const nextReadme = replaceReadmeDiagram(readme, mermaid);
let current = '';
try {
  current = readFileSync(DIAGRAM_FILE, 'utf8');
} catch {
  current = '';
}
if (check) {
  const stale = current !== mermaid || nextReadme !== readme;
  console.log(stale ? 'The machine diagram is stale: run npm run diagram' : 'The machine diagram is current');
  process.exit(stale ? 1 : 0);
}
writeFileSync(DIAGRAM_FILE, mermaid);
writeFileSync(README_FILE, nextReadme);
console.log(`wrote ${DIAGRAM_FILE} and the diagram section of ${README_FILE}`);
