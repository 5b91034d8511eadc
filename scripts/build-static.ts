/**
 * The part of `npm run build` that tsc doesn't do: the simulator's static files (HTML, CSS, browser
 * JS) next to the compiled routes that serve them, so `node dist/main.js` runs local mode too.
 */
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../src/local/simulator/', import.meta.url));
const to = fileURLToPath(new URL('../dist/local/simulator/', import.meta.url));
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
