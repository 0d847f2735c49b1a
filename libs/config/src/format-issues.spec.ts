import { z } from 'zod';
import { issueLines, summarizeIssues } from './format-issues';

const schema = z.object({ name: z.string(), tags: z.array(z.string()).max(1), nested: z.object({ n: z.number() }) });
const issuesOf = (value: unknown) => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected issues');
  return parsed.error.issues;
};

describe('validation message formatter', () => {
  it('gives path and message per issue, never the value', () => {
    const lines = issueLines(issuesOf({ name: 'sk-secret-value'.length, tags: ['a', 'sk-secret-value'], nested: { n: 'sk-secret-value' } }));
    expect(lines.map((l) => l.split(':')[0])).toEqual(['name', 'tags', 'nested.n']);
    expect(lines.join('\n')).not.toContain('sk-secret-value');
  });

  it('names the root when the whole value is wrong, and survives symbol keys', () => {
    expect(issueLines(issuesOf('not an object'))[0]).toMatch(/^\(root\): /);
    expect(issueLines([{ path: [Symbol('s'), 0], message: 'bad' }])).toEqual(['Symbol(s).0: bad']);
  });

  it('summarizes on one bounded line', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ path: [`k${i}`], message: 'x'.repeat(40) }));
    const line = summarizeIssues(many);
    expect(line).not.toContain('\n');
    expect(line.split('; ')).toHaveLength(10);
    expect(summarizeIssues(many, { maxIssues: 50, maxChars: 100 })).toHaveLength(100);
  });
});
