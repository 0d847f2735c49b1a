import { SimulationError } from '../simulation.errors';
import { chatRequestSchema, OPENAI_CHAT_FIELDS, type ChatRequest } from '../request/chat-request.schema';
import type { SimDialect } from './sim-dialects';

export interface DialectSettings {
  models: readonly string[];
  /** When set, keys must equal it; otherwise any non-empty key in the right header passes. */
  apiKey?: string;
  /** vLLM refuses a non-zero priority unless started with `--scheduling-policy priority`. */
  priorityScheduling: boolean;
}

export interface IncomingChat {
  body: unknown;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  query: Readonly<Record<string, unknown>>;
  /** Route parameters (Azure's deployment). */
  params: Readonly<Record<string, string | string[] | undefined>>;
}

export interface AcceptedChat {
  body: ChatRequest;
  /** The model that answers: from the body, the path (Azure), or the server's only model. */
  model: string;
}

const VLLM_EXTRAS = ['priority', 'structured_outputs', 'guided_json'] as const;

/** Checks a chat request the way the dialect's host would, and returns what it would go on to serve. */
export function acceptChat(dialect: SimDialect, incoming: IncomingChat, settings: DialectSettings): AcceptedChat {
  checkAuth(dialect, incoming.headers, settings.apiKey);
  for (const name of dialect.requiredQuery) {
    if (typeof incoming.query[name] !== 'string' || incoming.query[name] === '') throw new SimulationError('ROUTE_NOT_FOUND', 'Resource not found');
  }
  const raw = incoming.body;
  if (dialect.strictFields && raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const unknown = Object.keys(raw).find((k) => !OPENAI_CHAT_FIELDS.has(k));
    if (unknown !== undefined)
      throw SimulationError.invalid(
        dialect.errors === 'gemini' ? `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.` : `Unrecognized request argument supplied: ${unknown}`,
        unknown,
      );
  }
  const parsed = chatRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.map(String).join('.') || undefined;
    throw SimulationError.invalid(`${param ?? 'body'}: ${issue.message}`, param);
  }
  const body: ChatRequest = { ...parsed.data };
  for (const name of dialect.unsupported) {
    const value = body[name];
    if (value !== undefined && value !== null && value !== false) throw SimulationError.invalid(`\`${name}\` is not supported with this model`, name);
  }
  for (const name of dialect.ignored) delete body[name];
  if (!dialect.vllmExtras) for (const name of VLLM_EXTRAS) delete body[name];
  if (dialect.maxTemperature !== undefined && (body.temperature ?? 0) > dialect.maxTemperature)
    throw SimulationError.invalid(`temperature: must be at most ${dialect.maxTemperature}`, 'temperature');
  if ((body.n ?? 1) > dialect.maxN) throw SimulationError.invalid(dialect.maxN === 1 ? 'n: only one choice is supported' : `n: must be at most ${dialect.maxN}`, 'n');
  checkSemantics(body, settings);
  return { body, model: modelOf(dialect, body, incoming.params, settings.models) };
}

export function checkAuth(dialect: SimDialect, headers: IncomingChat['headers'], expected: string | undefined): void {
  const bearer = /^Bearer\s+(.+)$/i.exec(header(headers, 'authorization') ?? '')?.[1]?.trim();
  let key: string | undefined;
  switch (dialect.auth) {
    case 'none':
      return;
    case 'bearer-if-configured':
      if (expected === undefined) return;
      key = bearer;
      break;
    case 'bearer':
      key = bearer;
      break;
    case 'bearer-or-x-api-key':
      key = header(headers, 'x-api-key') ?? bearer;
      break;
    case 'api-key':
      key = header(headers, 'api-key');
      break;
  }
  if (!key || (expected !== undefined && key !== expected)) throw new SimulationError('UNAUTHORIZED', unauthorizedMessage(dialect));
}

function unauthorizedMessage(dialect: SimDialect): string {
  switch (dialect.errors) {
    case 'azure':
      return 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';
    case 'anthropic':
      return 'invalid x-api-key';
    case 'gemini':
      return 'API key not valid. Please pass a valid API key.';
    case 'openrouter':
      return 'No auth credentials found';
    case 'llamacpp':
      return 'Invalid API Key';
    case 'vllm':
    case 'openai':
    case 'tgi':
      return 'Incorrect API key provided.';
  }
}

/** The checks vLLM makes after parsing, with its messages. */
function checkSemantics(body: ChatRequest, settings: DialectSettings): void {
  if (body.top_logprobs && !body.logprobs) throw SimulationError.invalid('when using `top_logprobs`, `logprobs` must be set to true.', 'top_logprobs');
  if (body.stream_options && !body.stream) throw SimulationError.invalid('Stream options can only be defined when `stream=True`.', 'stream_options');
  const choice = body.tool_choice;
  if ((choice === 'required' || typeof choice === 'object') && !body.tools?.length) throw SimulationError.invalid('When using `tool_choice`, `tools` must be set.', 'tool_choice');
  if (typeof choice === 'object' && !body.tools?.some((t) => t.function.name === choice?.function.name))
    throw SimulationError.invalid('The tool specified in `tool_choice` does not match any of the specified `tools`', 'tool_choice');
  const guided = body.structured_outputs?.json ?? body.guided_json;
  if (typeof guided === 'string') {
    try {
      JSON.parse(guided);
    } catch {
      throw SimulationError.invalid('The provided JSON schema is not valid JSON.', body.guided_json ? 'guided_json' : 'structured_outputs');
    }
  }
  if (body.priority && !settings.priorityScheduling) throw SimulationError.invalid(`Got priority ${body.priority} but Priority scheduling is not enabled.`, 'priority');
}

function modelOf(dialect: SimDialect, body: ChatRequest, params: IncomingChat['params'], models: readonly string[]): string {
  if (dialect.deploymentInPath) {
    const deployment = String(params['deployment'] ?? '');
    if (!models.includes(deployment))
      throw new SimulationError(
        'DEPLOYMENT_NOT_FOUND',
        'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
      );
    return deployment;
  }
  if (dialect.ignoresModel) return body.model ?? models[0]!;
  if (body.model === undefined) {
    if (dialect.modelOptional) return models[0]!;
    throw SimulationError.invalid('you must provide a model parameter', 'model');
  }
  if (!models.includes(body.model)) {
    const name = body.model.slice(0, 100);
    const message = dialect.id === 'ollama' ? `model "${name}" not found, try pulling it first` : `The model \`${name}\` does not exist.`;
    throw Object.assign(new SimulationError('MODEL_NOT_FOUND', message), { param: 'model' });
  }
  return body.model;
}

function header(headers: IncomingChat['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
