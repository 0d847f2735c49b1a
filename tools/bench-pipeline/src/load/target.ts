import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { scanForFirstContent } from './sse';

/** One system under test as the load generator sees it: where to send, how, and which prompts. */
export interface TargetSpec {
  name: string;
  /** Several origins are used round-robin (two ingress instances). */
  origins: string[];
  headers: Record<string, string>;
  model: string;
  stream: boolean;
  /** Repeated prompts are drawn round-robin from this pool (the exact-cache path); otherwise every prompt is new. */
  repeatedPrompts?: readonly string[];
}

/** One request's outcome, times relative to its scheduled send (open loop) or its send (closed loop). */
export interface Sample {
  ok: boolean;
  latencyMs: number;
  ttftMs?: number;
  errorKind?: string;
  cacheHit?: boolean;
}

/** Room for the whole answer: the platform's cache does not store truncated answers. */
export const MAX_TOKENS = 64;

const runTag = randomBytes(4).toString('hex');
let promptCounter = 0;

/** A prompt no system has seen in this run (or any other: the run tag is random). */
export function uniquePrompt(): string {
  return `bench ${runTag} question ${++promptCounter}: summarise the trade-offs of open-loop load testing`;
}

/** Sends to one target over keep-alive pools (one per origin), each with `connections` sockets. */
export class TargetClient {
  private readonly pools: Pool[];
  private next = 0;

  constructor(
    readonly spec: TargetSpec,
    connections: number,
    private readonly timeoutMs: number,
  ) {
    this.pools = spec.origins.map((o) => new Pool(o, { connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }));
  }

  /** Sends one request; `t0` is the time latency is measured from (the scheduled send time in open loop). */
  async send(t0: number): Promise<Sample> {
    const pool = this.pools[this.next++ % this.pools.length]!;
    const prompts = this.spec.repeatedPrompts;
    const content = prompts?.length ? prompts[this.next % prompts.length]! : uniquePrompt();
    const body = JSON.stringify({ model: this.spec.model, messages: [{ role: 'user', content }], max_tokens: MAX_TOKENS, temperature: 0, stream: this.spec.stream });
    try {
      const res = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.spec.headers },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const cacheHit = String(res.headers['x-cache'] ?? '').startsWith('HIT');
      if (res.statusCode < 200 || res.statusCode > 299) {
        await res.body.dump();
        return { ok: false, latencyMs: performance.now() - t0, errorKind: `http-${res.statusCode}`, cacheHit };
      }
      if (!this.spec.stream) {
        await res.body.text();
        return { ok: true, latencyMs: performance.now() - t0, cacheHit };
      }
      let received = '';
      let ttftMs: number | undefined;
      let streamError: string | undefined;
      for await (const chunk of res.body) {
        if (ttftMs !== undefined || streamError) continue;
        received += (chunk as Buffer).toString('utf8');
        const scan = scanForFirstContent(received);
        if (scan.kind === 'content') ttftMs = performance.now() - t0;
        else if (scan.kind === 'error') streamError = 'stream-error';
      }
      const latencyMs = performance.now() - t0;
      if (streamError || ttftMs === undefined) return { ok: false, latencyMs, errorKind: streamError ?? 'stream-no-content', cacheHit };
      return { ok: true, latencyMs, ttftMs, cacheHit };
    } catch (err) {
      return { ok: false, latencyMs: performance.now() - t0, errorKind: errorKind(err) };
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.close().catch(() => undefined)));
  }
}

export function errorKind(err: unknown): string {
  const e = err as { code?: string; name?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code;
  if (e?.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'reset';
  return code ?? e?.name ?? 'other';
}
