import { JsonValidityJudge } from './json-validity.judge';

describe('JsonValidityJudge', () => {
  const judge = new JsonValidityJudge();

  it.each(['{"a":1}', '  [1, 2]', '{', '[oops'])('applies to content that looks like JSON: %p', (content) => {
    expect(judge.appliesTo(content)).toBe(true);
  });

  it.each(['hello', '', null, undefined, '"a string"', '42'])('does not apply to %p', (content) => {
    expect(judge.appliesTo(content)).toBe(false);
  });

  it('passes valid JSON with score 1', () => {
    expect(judge.judge('{"a":[1,{"b":null}]}')).toEqual({ judge: 'json_validity', score: 1, passed: true, details: 'content is valid JSON' });
    expect(judge.judge(' [] ').passed).toBe(true);
  });

  it('fails invalid JSON with score 0 and does not echo the content', () => {
    const verdict = judge.judge('{"secret": "s3cr3t",}');
    expect(verdict).toMatchObject({ judge: 'json_validity', score: 0, passed: false });
    expect(verdict.details).not.toContain('s3cr3t');
  });
});
