/**
 * Prompt-injection screening bench: detection on the labelled attack set beside this file and false positives
 * on real benign prompts (../shared/data/user-prompts). Prints figures only; nothing is asserted.
 *
 *   npm run build && npm run bench:injection [-- <user-prompts dir>]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PATTERN_SET_NAMES, screenTexts } from '@llm/screening';

const here = resolve(__dirname.includes('/dist/') ? __dirname.replace('/dist/', '/') : __dirname);
const promptsDir = process.argv[2] ?? resolve(here, '../../../../shared/data/user-prompts');

const jsonl = <T>(path: string): T[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);

const attacks = jsonl<{ family: string; prompt: string }>(join(here, 'injection-attacks.jsonl'));
const benign = ['sharegpt_first_turns.jsonl', 'arena_hard_v0.1_questions.jsonl', 'arena_hard_v2.0_questions.jsonl'].flatMap((f) =>
  jsonl<{ prompt: string }>(join(promptsDir, f)).map((r) => ({ source: f, prompt: r.prompt })),
);

for (const set of PATTERN_SET_NAMES) {
  const started = process.hrtime.bigint();
  const detected = attacks.filter((a) => screenTexts([a.prompt], set).flagged);
  const flagged = benign.filter((b) => screenTexts([b.prompt], set).flagged);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const byFamily = new Map<string, [number, number]>();
  for (const a of attacks) {
    const [hit, all] = byFamily.get(a.family) ?? [0, 0];
    byFamily.set(a.family, [hit + (detected.includes(a) ? 1 : 0), all + 1]);
  }
  console.log(`pattern set ${set}`);
  console.log(`  detection:        ${detected.length}/${attacks.length} = ${((100 * detected.length) / attacks.length).toFixed(1)}%`);
  for (const [family, [hit, all]] of byFamily) console.log(`    ${family.padEnd(14)} ${hit}/${all}`);
  console.log(`  false positives:  ${flagged.length}/${benign.length} = ${((100 * flagged.length) / benign.length).toFixed(2)}% of real user prompts`);
  const bySource = new Map<string, number>();
  for (const f of flagged) bySource.set(f.source, (bySource.get(f.source) ?? 0) + 1);
  for (const [source, n] of bySource) console.log(`    ${source.padEnd(34)} ${n}`);
  console.log(`  time: ${ms.toFixed(0)} ms for ${attacks.length + benign.length} prompts (${((1000 * ms) / (attacks.length + benign.length)).toFixed(1)} µs each)`);
}
