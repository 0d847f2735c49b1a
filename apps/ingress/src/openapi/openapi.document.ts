import { chatRequestBody, citation, ERROR_CODES, ragOptions } from '@llm/contracts';
import { z } from 'zod';

type Json = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
};

/** Every error status with the codes that use it, so each documented response names its stable codes. */
function errorResponses(): Record<string, Json> {
  const byStatus = new Map<number, string[]>();
  for (const [code, d] of Object.entries(ERROR_CODES)) byStatus.set(d.status, [...(byStatus.get(d.status) ?? []), code]);
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, codes]) => [
        String(status),
        {
          description: `Error; \`error.platform_code\` is one of: ${codes.join(', ')}`,
          headers: status === 429 || status === 503 ? { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before retrying' } } : undefined,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
          'x-error-codes': codes,
        },
      ]),
  );
}

const RATE_HEADERS = Object.fromEntries(
  ['requests', 'tokens'].flatMap((kind) => [
    [`x-ratelimit-limit-${kind}`, { schema: { type: 'string' }, description: `The binding ${kind} limit` }],
    [`x-ratelimit-remaining-${kind}`, { schema: { type: 'string' } }],
    [`x-ratelimit-reset-${kind}`, { schema: { type: 'string' }, description: 'Time until the window resets, e.g. 6m0s' }],
  ]),
);

const requestHeaders = [
  {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    schema: { type: 'string', minLength: 1, maxLength: 255 },
    description: 'Same key + same body = the same request, run once (24 h)',
  },
  { name: 'x-priority', in: 'header', required: false, schema: { type: 'string', enum: ['batch', 'realtime'] }, description: '`batch` asks for the batch band' },
  { name: 'x-user-id', in: 'header', required: false, schema: { type: 'string', maxLength: 128 }, description: 'End user, for per-user limits' },
  { name: 'x-feature', in: 'header', required: false, schema: { type: 'string', maxLength: 128 } },
  {
    name: 'x-llm-cache',
    in: 'header',
    required: false,
    schema: { type: 'string', enum: ['default', 'refresh', 'off'] },
    description: 'refresh: skip the cache lookups and store the fresh answer; off: neither read nor write the cache',
  },
];
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
/** One server-sent event (`id:`, `event:`, `data:` with a JSON chunk, or `[DONE]`). */
const sseEvent = { type: 'object', properties: { id: { type: 'string' }, event: { type: 'string' }, data: { type: 'string' } } };
const chatExample = { model: 'sim-small', messages: [{ role: 'user', content: 'Say hello' }] };
const ragExample = { model: 'sim-small', messages: [{ role: 'user', content: 'How many days of leave do I get?' }], metadata: { rag_collection: 'handbook', rag_top_k: '5' } };

/**
 * The OpenAPI 3.1 document of ingress's HTTP API, built from the same zod schemas the controllers validate with
 * and from the shared error table, so it cannot drift from the code. Served at GET /docs; `npm run build` writes
 * it to docs/openapi/ingress.openapi.json.
 */
export function ingressOpenApi(): Json {
  const errors = errorResponses();
  const secured = { security: [{ apiKey: [] }] };
  return {
    openapi: '3.1.0',
    info: {
      title: 'LLM platform ingress',
      version: '1.0.0',
      description: 'OpenAI-compatible chat completions plus an asynchronous request API. Errors follow OpenAI’s shape with the platform’s stable code in `error.platform_code`.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' } },
      schemas: {
        ChatRequest: jsonSchema(chatRequestBody),
        RagChatRequest: {
          description:
            'A chat request that may ask for retrieval-augmented generation: `metadata.rag_collection` (and `metadata.rag_top_k`, a number as a string) as any OpenAI client sends them, or `rag: {collection, top_k}`. The answer then carries `citations` beside `choices`.',
          allOf: [
            { $ref: '#/components/schemas/ChatRequest' },
            {
              type: 'object',
              properties: {
                metadata: {
                  type: 'object',
                  properties: { rag_collection: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' }, rag_top_k: { type: 'string', pattern: '^[0-9]+$' } },
                  additionalProperties: { type: 'string' },
                },
                rag: jsonSchema(ragOptions),
              },
            },
          ],
        },
        Citations: {
          description:
            'Sources of a RAG answer, in citation order: every source the model was shown, with the document it came from and whether the answer cites it as `[index]`. Absent on answers without RAG; a stream carries them on its finishing chunk.',
          type: 'array',
          items: jsonSchema(citation),
        },
        AsyncRequest: { allOf: [{ $ref: '#/components/schemas/ChatRequest' }, { type: 'object', properties: { rag: jsonSchema(ragOptions) } }] },
        ErrorBody: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['message', 'type', 'code', 'param', 'platform_code', 'retryable'],
              properties: {
                message: { type: 'string' },
                type: { type: 'string' },
                code: { type: 'string' },
                param: { type: ['string', 'null'] },
                platform_code: { type: 'string', enum: Object.keys(ERROR_CODES) },
                retryable: { type: 'boolean' },
                request_id: { type: 'string' },
              },
            },
          },
        },
        ModelList: {
          type: 'object',
          required: ['object', 'data'],
          properties: {
            object: { const: 'list' },
            data: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'object', 'created', 'owned_by'],
                properties: { id: { type: 'string' }, object: { const: 'model' }, created: { type: 'integer' }, owned_by: { type: 'string' } },
              },
            },
          },
        },
        Accepted: {
          type: 'object',
          required: ['request_id', 'status'],
          properties: { request_id: { type: 'string' }, status: { const: 'accepted' }, idempotent_replay: { type: 'boolean' } },
        },
        RequestStatus: { type: 'object', required: ['request_id', 'status'], properties: { request_id: { type: 'string' }, status: { type: 'string' } } },
      },
    },
    paths: {
      '/v1/chat/completions': {
        post: {
          operationId: 'createChatCompletion',
          ...secured,
          parameters: requestHeaders,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/RagChatRequest' }, examples: { hello: { value: chatExample }, rag: { value: ragExample } } } },
          },
          responses: {
            '200': {
              description: 'A chat completion (JSON), or its stream of chunks when `stream` is true; RAG answers carry `citations`',
              headers: RATE_HEADERS,
              content: {
                'application/json': { schema: { type: 'object', properties: { citations: { $ref: '#/components/schemas/Citations' } } } },
                'text/event-stream': { schema: sseEvent },
              },
            },
            ...errors,
          },
        },
      },
      '/v1/requests': {
        post: {
          operationId: 'submitRequest',
          ...secured,
          parameters: requestHeaders,
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/AsyncRequest' }, examples: { hello: { value: chatExample } } } } },
          responses: {
            '202': { description: 'Accepted; poll its status', headers: RATE_HEADERS, content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } } },
            ...errors,
          },
        },
      },
      '/v1/requests/{id}': {
        get: {
          operationId: 'getRequest',
          ...secured,
          parameters: [idParam],
          responses: {
            '200': { description: 'Status and, once finished, the result', content: { 'application/json': { schema: { $ref: '#/components/schemas/RequestStatus' } } } },
            ...errors,
          },
        },
      },
      '/v1/requests/{id}/events': {
        get: {
          operationId: 'followRequest',
          ...secured,
          parameters: [idParam, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
          responses: { '200': { description: 'Server-sent events of the request', content: { 'text/event-stream': { schema: sseEvent } } }, ...errors },
        },
      },
      '/v1/models': {
        get: {
          operationId: 'listModels',
          ...secured,
          responses: {
            '200': { description: 'The models the caller may use', content: { 'application/json': { schema: { $ref: '#/components/schemas/ModelList' } } } },
            ...errors,
          },
        },
      },
    },
  };
}
