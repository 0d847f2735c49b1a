import { JsonSchemaJudge } from './json-schema.judge';

const schema = { type: 'object', required: ['answer'], properties: { answer: { type: 'string' }, n: { type: 'integer' } }, additionalProperties: false };

describe('JsonSchemaJudge', () => {
  const judge = new JsonSchemaJudge();

  it('passes conforming JSON', () => {
    expect(judge.judge('{"answer":"x","n":2}', schema)).toEqual({ judge: 'json_schema', score: 1, passed: true, details: 'content conforms to the requested schema' });
  });

  it('fails non-conforming JSON naming the path and keyword, never the value', () => {
    const verdict = judge.judge('{"answer":"secret-value","n":"two"}', schema)!;
    expect(verdict).toMatchObject({ score: 0, passed: false });
    expect(verdict.details).toContain('/n type');
    expect(verdict.details).not.toContain('secret-value');
    expect(judge.judge('{"n":1}', schema)!.details).toContain('required');
  });

  it('fails content that is not JSON', () => {
    expect(judge.judge('not json', schema)).toMatchObject({ passed: false, details: 'content is not valid JSON' });
  });

  it('does not apply when the schema itself cannot be compiled', () => {
    expect(judge.judge('{}', { type: 'no-such-type' })).toBeUndefined();
  });
});
