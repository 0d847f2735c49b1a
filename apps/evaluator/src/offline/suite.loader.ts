import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeIssues } from '@llm/config';
import { parse as parseYaml } from 'yaml';
import { suiteBaseline, suiteCase, suiteManifest, type SuiteBaseline, type SuiteCase, type SuiteManifest } from './suite.schema';

export interface LoadedSuite {
  dir: string;
  manifest: SuiteManifest;
  cases: SuiteCase[];
  baseline?: SuiteBaseline;
}

export class SuiteError extends Error {}

/** Reads `<suitesDir>/<name>/`: suite.yaml, the cases (JSONL, or YAML as a list) and baseline.json if any. */
export function loadSuite(suitesDir: string, name: string): LoadedSuite {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name)) throw new SuiteError(`suite name ${JSON.stringify(name)} is not valid`);
  const dir = join(suitesDir, name);
  const manifestFile = join(dir, 'suite.yaml');
  if (!existsSync(manifestFile)) throw new SuiteError(`no suite at ${dir} (suite.yaml is missing)`);
  const manifest = parseWith(suiteManifest, parseYaml(readFileSync(manifestFile, 'utf8')), manifestFile);
  if (manifest.name !== name) throw new SuiteError(`${manifestFile} names suite ${manifest.name}, not ${name}`);
  const casesFile = join(dir, manifest.cases);
  const raw = readFileSync(casesFile, 'utf8');
  const items: unknown[] = /\.ya?ml$/.test(casesFile)
    ? (parseYaml(raw) as unknown[])
    : raw
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('//'))
        .map((l, i) => {
          try {
            return JSON.parse(l) as unknown;
          } catch {
            throw new SuiteError(`${casesFile}:${i + 1} is not JSON`);
          }
        });
  if (!Array.isArray(items) || items.length === 0) throw new SuiteError(`${casesFile} holds no cases`);
  const cases = items.map((item, i) => parseWith(suiteCase, item, `${casesFile} case ${i + 1}`));
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new SuiteError(`${casesFile}: case id ${c.id} appears twice`);
    ids.add(c.id);
  }
  const baselineFile = join(dir, 'baseline.json');
  const baseline = existsSync(baselineFile) ? parseWith(suiteBaseline, JSON.parse(readFileSync(baselineFile, 'utf8')), baselineFile) : undefined;
  return { dir, manifest, cases, ...(baseline ? { baseline } : {}) };
}

function parseWith<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Parameters<typeof summarizeIssues>[0] } } },
  value: unknown,
  where: string,
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new SuiteError(`${where}: ${summarizeIssues(parsed.error.issues)}`);
  return parsed.data;
}
