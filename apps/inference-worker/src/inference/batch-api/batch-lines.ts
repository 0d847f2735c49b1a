import { chatCompletion, type ChatCompletion, type InferenceRequestV1, type RouteTarget } from '@llm/contracts';

/** The batch input line of one request: OpenAI's request input object, `custom_id` naming the call. */
export function batchLine(request: InferenceRequestV1, target: RouteTarget, callId: string): string {
  const { stream: _stream, stream_options: _options, ...body } = request.body as Record<string, unknown>;
  return JSON.stringify({ custom_id: customId(request, callId), method: 'POST', url: '/v1/chat/completions', body: { ...body, model: target.deployment } });
}

export const customId = (request: Pick<InferenceRequestV1, 'tenant_id' | 'request_id'>, callId: string) => `${request.tenant_id}/${request.request_id}/${callId}`;

/** What one output or error file line says about its call. */
export type LineOutcome = { ok: true; completion: ChatCompletion } | { ok: false; status: number | null; message: string; usage?: ChatCompletion['usage'] };

/** Reads the output and error files (JSONL) into outcomes by custom_id; a line that does not parse is skipped. */
export function parseOutputLines(text: string): Map<string, LineOutcome> {
  const out = new Map<string, LineOutcome>();
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let o: { custom_id?: unknown; response?: { status_code?: number; body?: unknown } | null; error?: { message?: string } | null };
    try {
      o = JSON.parse(raw) as typeof o;
    } catch {
      continue;
    }
    if (typeof o.custom_id !== 'string') continue;
    const status = o.response?.status_code ?? null;
    const parsed = status !== null && status >= 200 && status < 300 ? chatCompletion.safeParse(o.response?.body) : undefined;
    if (parsed?.success) out.set(o.custom_id, { ok: true, completion: parsed.data });
    else {
      const body = o.response?.body as { error?: { message?: string } } | undefined;
      out.set(o.custom_id, { ok: false, status, message: (body?.error?.message ?? o.error?.message ?? 'the batch line failed').slice(0, 1_000) });
    }
  }
  return out;
}
