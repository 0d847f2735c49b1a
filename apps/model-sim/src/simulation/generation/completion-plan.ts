import { createHash, randomUUID } from 'node:crypto';
import type { ChatRequest, OutputFormat } from '../request/chat-request.schema';
import { sampleJson } from './json-schema-sampler';
import { generate, prng } from './text-generator';

export interface PlannedToolCall {
  id: string;
  name: string;
  /** The arguments JSON, in the pieces it is streamed in (possibly cut by max_tokens). */
  argumentTokens: string[];
}

/** One choice of the answer, decided before the first token is sent (the timing is applied while sending). */
export interface PlannedChoice {
  index: number;
  /** Content pieces; empty when the choice is a tool call. */
  tokens: string[];
  toolCall?: PlannedToolCall;
  finishReason: 'stop' | 'length' | 'tool_calls';
  /** vLLM's `stop_reason`: the stop string that ended the text, null otherwise. */
  stopReason: string | null;
}

export interface PlanInput {
  body: ChatRequest;
  model: string;
  prompt: string;
  format: OutputFormat;
  maxTokens: number;
  /** x-sim-output-tokens: the length of a generated answer. */
  wantTokens?: number;
  /** An injected structured-output fault, applied only when JSON was asked for. */
  corrupt?: 'invalid-json' | 'schema-mismatch';
  /** False: the model ignores `ECHO:` instructions (SIM_IGNORE_ECHO_MODELS, a deliberately broken route). */
  echo?: boolean;
}

/**
 * What the server answers: `n` choices (the i-th generated with seed + i, so they differ), structured output
 * when asked, a tool call when tool_choice requires one, then stop strings and max_tokens applied the way a
 * decoding loop meets them (whichever comes first).
 */
export function planChoices(input: PlanInput): PlannedChoice[] {
  const n = input.body.n ?? 1;
  return Array.from({ length: n }, (_, index) => planChoice(input, index));
}

function planChoice(input: PlanInput, index: number): PlannedChoice {
  const seed = (input.body.seed ?? 0) + index;
  const random = seededRandom(`${input.model}\n${seed}\n${input.prompt}`);
  const tool = forcedTool(input.body);
  if (tool) {
    const args = JSON.stringify(sampleJson(tool.function.parameters ?? { type: 'object', properties: {} }, random));
    const pieces = jsonPieces(args);
    const cut = pieces.length > input.maxTokens;
    return {
      index,
      tokens: [],
      toolCall: { id: `chatcmpl-tool-${randomUUID().replace(/-/g, '')}`, name: tool.function.name, argumentTokens: cut ? pieces.slice(0, input.maxTokens) : pieces },
      // A named tool_choice ends with 'stop', a required one with 'tool_calls' (OpenAI's and vLLM's behaviour).
      finishReason: cut ? 'length' : input.body.tool_choice === 'required' ? 'tool_calls' : 'stop',
      stopReason: null,
    };
  }
  let tokens: string[];
  if (input.format.kind !== 'text' && input.corrupt) tokens = jsonPieces(corrupted(input.format, input.corrupt, random));
  else if (input.format.kind === 'json_schema') tokens = jsonPieces(JSON.stringify(sampleJson(input.format.schema, random)));
  else {
    const text = generate({
      model: input.model,
      prompt: input.prompt,
      seed,
      maxTokens: Number.MAX_SAFE_INTEGER,
      json: input.format.kind === 'json_object',
      wantTokens: input.wantTokens,
      echo: input.echo,
    });
    tokens = input.format.kind === 'json_object' ? jsonPieces(text.tokens.join('')) : text.tokens;
  }
  return { index, ...applyLimits(tokens, stopsOf(input.body), input.maxTokens) };
}

/** Stop strings end the text before them (not included, vLLM's default); max_tokens ends it wherever it is. */
export function applyLimits(tokens: readonly string[], stops: readonly string[], maxTokens: number): Pick<PlannedChoice, 'tokens' | 'finishReason' | 'stopReason'> {
  const text = tokens.join('');
  let at = -1;
  let stop: string | null = null;
  for (const s of stops) {
    const i = s === '' ? -1 : text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) [at, stop] = [i, s];
  }
  if (at >= 0) {
    // The token that completes the stop string must be within max_tokens for the stop to be reached.
    let end = 0;
    let completing = 0;
    while (completing < tokens.length && end < at + stop!.length) end += tokens[completing++]!.length;
    if (completing <= maxTokens) return { tokens: cutAt(tokens, at), finishReason: 'stop', stopReason: stop };
  }
  if (tokens.length > maxTokens) return { tokens: tokens.slice(0, maxTokens), finishReason: 'length', stopReason: null };
  return { tokens: [...tokens], finishReason: 'stop', stopReason: null };
}

function cutAt(tokens: readonly string[], chars: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (const t of tokens) {
    if (used >= chars) break;
    const piece = t.slice(0, chars - used);
    if (piece) out.push(piece);
    used += t.length;
  }
  return out;
}

function stopsOf(body: ChatRequest): string[] {
  const stop = body.stop;
  if (stop === undefined || stop === null) return [];
  return typeof stop === 'string' ? [stop] : stop;
}

function forcedTool(body: ChatRequest) {
  const choice = body.tool_choice;
  if (!body.tools?.length) return undefined;
  if (choice === 'required') return body.tools[0];
  if (choice && typeof choice === 'object') return body.tools.find((t) => t.function.name === choice.function.name);
  return undefined;
}

/** Broken JSON (the closing bracket never comes), or JSON whose type is not the one the schema asks for. */
function corrupted(format: Exclude<OutputFormat, { kind: 'text' }>, fault: NonNullable<PlanInput['corrupt']>, random: () => number): string {
  const valid = format.kind === 'json_schema' ? JSON.stringify(sampleJson(format.schema, random)) : JSON.stringify({ answer: 'simulated' });
  if (fault === 'invalid-json') return `${valid.slice(0, -1)},`;
  const schema = format.kind === 'json_schema' ? (format.schema as { type?: unknown; properties?: unknown }) : { type: 'object' };
  const type = Array.isArray(schema.type) ? schema.type[0] : (schema.type ?? (schema.properties ? 'object' : undefined));
  return JSON.stringify(type === 'object' ? ['not', 'an', 'object'] : type === 'array' ? { not: 'an array' } : type === 'string' ? 42 : 'wrong type');
}

/** JSON in token-sized pieces: structural characters alone, strings and numbers as they come. */
function jsonPieces(json: string): string[] {
  return json.match(/"(?:[^"\\]|\\.)*"|[{}[\],:]|[^{}[\],:"]+/g) ?? [json];
}

function seededRandom(key: string): () => number {
  return prng(createHash('sha256').update(key).digest().readUInt32LE(0));
}
