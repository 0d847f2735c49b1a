// Compiled code imports libs by their workspace alias (@llm/<lib>). tsc does not rewrite path aliases, so the
// build links dist/node_modules/@llm/<lib> to the lib's compiled folder and Node's own resolution finds it.
import { mkdirSync, readdirSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const scopeDir = join(root, 'dist/node_modules/@llm');
rmSync(scopeDir, { recursive: true, force: true });
mkdirSync(scopeDir, { recursive: true });
for (const lib of readdirSync(join(root, 'dist/libs'))) {
  const src = join(root, 'dist/libs', lib, 'src');
  if (existsSync(join(src, 'index.js'))) symlinkSync(src, join(scopeDir, lib), 'dir');
}
