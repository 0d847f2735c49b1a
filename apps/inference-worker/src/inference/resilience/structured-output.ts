import type { ChatCompletion, ChatRequestBody } from '@llm/contracts';
import { SchemaValidators } from '@llm/json-schema';

/**
 * Checks json_object and json_schema answers (ajv) and builds the follow-up request that feeds the validation
 * error back to the model. A schema ajv cannot compile is not the model's fault: its answers pass unchecked
 * (the provider validated the schema when it accepted the request, or ignored it).
 */
export class StructuredOutputValidator {
  private readonly validators = new SchemaValidators({ allErrors: true, validateSchema: false }, 500);

  /** Undefined when the answer is acceptable (or nothing was asked), else why it is not, for the model to read. */
  problem(body: ChatRequestBody, completion: ChatCompletion): string | undefined {
    const format = body.response_format;
    if (!format || format.type === 'text') return undefined;
    const choice = completion.choices[0];
    // A tool call is a legitimate answer to a request with tools; a cut answer is a length problem, not a format one.
    if (!choice || choice.finish_reason === 'tool_calls' || choice.finish_reason === 'length') return undefined;
    const content = choice.message.content;
    if (content === null || content === undefined || content.trim() === '') return 'the answer was empty; a JSON value was required';
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (err) {
      return `the answer is not valid JSON (${(err as Error).message})`;
    }
    if (format.type === 'json_object') return isPlainObject(value) ? undefined : 'the answer must be a JSON object';
    const validate = format.json_schema.schema ? this.validators.of(format.json_schema.schema) : undefined;
    if (!validate || validate(value)) return undefined;
    return `the JSON does not match the schema "${format.json_schema.name}": ${this.validators.errorsText(validate.errors, 'answer')}`.slice(0, 1_000);
  }

  /** The request again, with the rejected answer and the reason, so the model can correct itself. */
  withFeedback(body: ChatRequestBody, completion: ChatCompletion, problem: string): ChatRequestBody {
    const rejected = completion.choices[0]?.message.content ?? '';
    return {
      ...body,
      messages: [
        ...body.messages,
        { role: 'assistant', content: rejected },
        { role: 'user', content: `Your previous answer was rejected: ${problem}. Answer again with only the JSON, nothing before or after it.` },
      ],
    };
  }
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
