import { SchemaValidators } from '@llm/json-schema';
import type { JudgeVerdict } from './judge.types';

/**
 * Schema conformance of a JSON answer to the schema the caller asked for (`response_format.json_schema`), with
 * ajv. Compiled validators are cached by the schema's hash (callers reuse a handful of schemas); a schema ajv
 * cannot compile is the caller's problem, reported as not applicable rather than as a failed answer.
 */
export class JsonSchemaJudge {
  static readonly NAME = 'json_schema';
  private readonly validators = new SchemaValidators({ allErrors: false });

  judge(content: string, schema: Record<string, unknown>): JudgeVerdict | undefined {
    const validate = this.validators.of(schema);
    if (!validate) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch {
      return { judge: JsonSchemaJudge.NAME, score: 0, passed: false, details: 'content is not valid JSON' };
    }
    if (validate(value)) return { judge: JsonSchemaJudge.NAME, score: 1, passed: true, details: 'content conforms to the requested schema' };
    // The error names the failing path and keyword, never the value (it may hold PII).
    const first = validate.errors?.[0];
    const where = first ? `${first.instancePath || '/'} ${first.keyword}` : 'unknown';
    return { judge: JsonSchemaJudge.NAME, score: 0, passed: false, details: `content does not conform to the requested schema: ${where}`.slice(0, 512) };
  }
}
