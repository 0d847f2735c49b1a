import type { JudgeVerdict } from './judge.types';

export type { JudgeVerdict } from './judge.types';

/**
 * Online judge: is a completion that looks like JSON actually valid JSON? A result does not carry its request,
 * so "the caller asked for JSON" is inferred from the content: it applies when the content (leading
 * whitespace aside) starts with `{` or `[`. Details never quote the content (it may hold PII).
 */
export class JsonValidityJudge {
  static readonly NAME = 'json_validity';

  appliesTo(content: string | null | undefined): content is string {
    if (typeof content !== 'string') return false;
    const first = content.trimStart()[0];
    return first === '{' || first === '[';
  }

  judge(content: string): JudgeVerdict {
    try {
      JSON.parse(content);
      return { judge: JsonValidityJudge.NAME, score: 1, passed: true, details: 'content is valid JSON' };
    } catch {
      return { judge: JsonValidityJudge.NAME, score: 0, passed: false, details: 'content is not valid JSON' };
    }
  }
}
