import { createHash } from 'node:crypto';
import Ajv, { type ErrorObject, type Options, type ValidateFunction } from 'ajv';

/**
 * Compiled JSON Schema validators (ajv) for schemas that arrive with requests (`response_format.json_schema`),
 * cached by the schema's hash: callers reuse a handful of schemas, and compiling is the expensive part. A schema
 * ajv cannot compile yields no validator; the caller decides what that means. Bounded: the oldest is dropped.
 */
export class SchemaValidators {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction | null>();

  constructor(
    options: Options = {},
    private readonly maxCached = 256,
  ) {
    this.ajv = new Ajv({ strict: false, ...options });
  }

  /** The validator of `schema`, or undefined when ajv cannot compile it. */
  of(schema: Record<string, unknown>): ValidateFunction | undefined {
    const key = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
    if (!this.compiled.has(key)) {
      if (this.compiled.size >= this.maxCached) this.compiled.delete(this.compiled.keys().next().value!);
      let validate: ValidateFunction | null = null;
      try {
        validate = this.ajv.compile(schema);
      } catch {
        validate = null;
      }
      this.compiled.set(key, validate);
    }
    return this.compiled.get(key) ?? undefined;
  }

  /** ajv's readable summary of a failed validation. */
  errorsText(errors: ErrorObject[] | null | undefined, dataVar: string): string {
    return this.ajv.errorsText(errors, { dataVar });
  }
}
