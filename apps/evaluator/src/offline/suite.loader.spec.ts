import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSuite } from './suite.loader';

function suiteDir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'suites-'));
  mkdirSync(join(root, 'demo'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'demo', name), text);
  return root;
}

const MANIFEST = 'name: demo\nversion: 2\nmodel: sim-small\n';

describe('loadSuite', () => {
  it('loads the manifest, JSONL cases and the baseline, with defaults', () => {
    const root = suiteDir({
      'suite.yaml': MANIFEST,
      'cases.jsonl': '{"id":"a","question":"q?","judge":"contains","expected":"x"}\n\n{"id":"b","messages":[{"role":"user","content":"hi"}],"judge":"refusal"}\n',
    });
    const suite = loadSuite(root, 'demo');
    expect(suite.manifest).toMatchObject({ name: 'demo', version: 2, tolerance: 0.05, simulated: false, priority: 'realtime' });
    expect(suite.cases.map((c) => c.id)).toEqual(['a', 'b']);
    expect(suite.baseline).toBeUndefined();
  });

  it('loads YAML cases', () => {
    const root = suiteDir({ 'suite.yaml': `${MANIFEST}cases: cases.yaml\n`, 'cases.yaml': '- id: a\n  question: q?\n  judge: exact\n  expected: x\n' });
    expect(loadSuite(root, 'demo').cases).toHaveLength(1);
  });

  it('names what is wrong: a case without its expected answer, a duplicate id, an unknown field, a bad line', () => {
    expect(() => loadSuite(suiteDir({ 'suite.yaml': MANIFEST, 'cases.jsonl': '{"id":"a","question":"q","judge":"contains"}' }), 'demo')).toThrow(/case 1.*need expected/);
    expect(() =>
      loadSuite(suiteDir({ 'suite.yaml': MANIFEST, 'cases.jsonl': '{"id":"a","question":"q","judge":"refusal"}\n{"id":"a","question":"q","judge":"refusal"}' }), 'demo'),
    ).toThrow(/twice/);
    expect(() => loadSuite(suiteDir({ 'suite.yaml': `${MANIFEST}colour: red\n`, 'cases.jsonl': '{"id":"a","question":"q","judge":"refusal"}' }), 'demo')).toThrow(/suite.yaml/);
    expect(() => loadSuite(suiteDir({ 'suite.yaml': MANIFEST, 'cases.jsonl': '{nope' }), 'demo')).toThrow(/cases.jsonl:1 is not JSON/);
    expect(() => loadSuite(suiteDir({}), '../etc')).toThrow(/not valid/);
  });
});
