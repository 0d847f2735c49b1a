import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, Inject, Post, Res } from '@nestjs/common';
import { summarizeIssues } from '@llm/kafka';
import { MetricsRegistry } from '@llm/telemetry';
import type { Response } from 'express';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { z } from 'zod';
import type { ModelSimConfig } from '../config/model-sim.config';
import { BatchScheduler } from './batch-scheduler';
import { chooseFault } from './fault-plan';
import { SimulationError } from './simulation.errors';
import { SIM_CONFIG } from './simulation.tokens';
import { estimateTokens, generate, logprobOf, prng } from './text-generator';

const bodySchema = z.object({
  model: z.string().min(1).max(256),
  messages: z.array(z.object({ role: z.string(), content: z.unknown() })).min(1).max(4096),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  logprobs: z.boolean().optional(),
  top_logprobs: z.number().int().min(0).max(20).optional(),
  response_format: z.object({ type: z.string() }).passthrough().optional(),
});

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** OpenAI-compatible chat completions with vLLM-like timing, batching and injectable faults. */
@Controller()
export class ChatCompletionsController {
  private readonly scheduler: BatchScheduler;
  private readonly random: () => number;
  private readonly stats = { requests: 0, tokens_generated: 0, faults: { '429': 0, '500': 0, timeout: 0, stall: 0 } as Record<string, number> };
  private readonly requestsTotal: Counter<'model' | 'outcome'>;
  private readonly queueDepth: Gauge;
  private readonly ttft: Histogram;
  /** Held-open connections (timeout and stall faults), released on shutdown. */
  private readonly held = new Set<Response>();

  constructor(
    @Inject(SIM_CONFIG) private readonly config: ModelSimConfig,
    metrics: MetricsRegistry,
  ) {
    this.scheduler = new BatchScheduler(config.SIM_MAX_BATCH, config.SIM_MAX_QUEUE);
    this.random = prng(config.SIM_SEED);
    this.requestsTotal = metrics.counter('sim_requests_total', 'Requests by model and outcome', ['model', 'outcome']);
    this.queueDepth = metrics.gauge('sim_queue_depth', 'Requests waiting for a batch slot');
    this.ttft = metrics.histogram('sim_time_to_first_token_seconds', 'Queue wait plus time to first token', [], [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  }

  onModuleDestroy(): void {
    for (const res of this.held) res.destroy();
  }

  @Get('v1/models')
  models() {
    return { object: 'list', data: this.config.SIM_MODELS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'model-sim' })) };
  }

  @Get('sim/stats')
  statistics() {
    return { ...this.stats, in_flight: this.scheduler.inFlight, queued: this.scheduler.queued };
  }

  @Post('v1/chat/completions')
  async complete(@Body() raw: unknown, @Headers() headers: Record<string, string | undefined>, @Res() res: Response): Promise<void> {
    const parsed = bodySchema.safeParse(raw);
    if (!parsed.success) throw new SimulationError('INVALID_REQUEST', summarizeIssues(parsed.error.issues));
    const body = parsed.data;
    if (!this.config.SIM_MODELS.includes(body.model)) throw new SimulationError('MODEL_NOT_FOUND', `The model \`${body.model.slice(0, 100)}\` does not exist.`);
    this.stats.requests++;

    const fault = chooseFault(headers['x-sim-fault'], { rate429: this.config.SIM_FAULT_429_RATE, rate500: this.config.SIM_FAULT_500_RATE, rateTimeout: this.config.SIM_FAULT_TIMEOUT_RATE, rateStall: this.config.SIM_FAULT_STALL_RATE }, this.random());
    if (fault !== 'none') this.stats.faults[fault] = (this.stats.faults[fault] ?? 0) + 1;
    if (fault === '429') {
      this.requestsTotal.inc({ model: body.model, outcome: '429' });
      throw new SimulationError('INJECTED_RATE_LIMIT', 'Rate limit reached (simulated).', true, { retryAfterS: 1 });
    }
    if (fault === '500') {
      this.requestsTotal.inc({ model: body.model, outcome: '500' });
      throw new SimulationError('INJECTED_SERVER_ERROR', 'Internal server error (simulated).', true);
    }

    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const started = performance.now();
    this.queueDepth.set(this.scheduler.queued + 1);
    let release: () => void;
    try {
      release = await this.scheduler.admit(gone.signal);
    } catch (err) {
      if (err instanceof SimulationError) {
        this.requestsTotal.inc({ model: body.model, outcome: 'overloaded' });
        throw err;
      }
      return; // the client left while queued
    } finally {
      this.queueDepth.set(this.scheduler.queued);
    }
    try {
      if (fault === 'timeout' || (fault === 'stall' && !body.stream)) return await this.hold(res, gone.signal);
      const ttftMs = numberHeader(headers['x-sim-ttft-ms']) ?? this.config.SIM_TTFT_MS;
      const itlMs = numberHeader(headers['x-sim-itl-ms']) ?? this.config.SIM_ITL_MS;
      const out = generate({
        model: body.model,
        prompt: promptOf(body.messages),
        seed: body.seed ?? 0,
        maxTokens: body.max_completion_tokens ?? body.max_tokens ?? this.config.SIM_DEFAULT_MAX_TOKENS,
        json: body.response_format?.type === 'json_object' || body.response_format?.type === 'json_schema',
        wantTokens: numberHeader(headers['x-sim-output-tokens']),
      });
      const usage = { prompt_tokens: estimateTokens(body.messages), completion_tokens: out.tokens.length, total_tokens: 0 };
      usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
      const id = `chatcmpl-sim-${randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);
      await sleep(ttftMs, gone.signal);
      this.ttft.observe((performance.now() - started) / 1000);
      if (gone.signal.aborted) return;

      if (!body.stream) {
        await sleep(itlMs * Math.max(0, out.tokens.length - 1), gone.signal);
        if (gone.signal.aborted) return;
        this.stats.tokens_generated += out.tokens.length;
        this.requestsTotal.inc({ model: body.model, outcome: 'ok' });
        res.json({
          id,
          object: 'chat.completion',
          created,
          model: body.model,
          system_fingerprint: 'model-sim',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: out.tokens.join(''), refusal: null },
              finish_reason: out.finishReason,
              logprobs: body.logprobs ? { content: out.tokens.map((t, i) => logprobEntry(t, i, body.top_logprobs ?? 0)) } : null,
            },
          ],
          usage,
        });
        return;
      }

      res.status(200).setHeader('Content-Type', 'text/event-stream');
      res.setHeader('Cache-Control', 'no-cache');
      res.flushHeaders();
      const chunk = (delta: object, finish: string | null, extra: object = {}) =>
        res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason: finish, ...extra }] })}\n\n`);
      const stallAt = fault === 'stall' ? Math.min(2, out.tokens.length) : -1;
      for (const [i, token] of out.tokens.entries()) {
        if (i === stallAt) return await this.hold(res, gone.signal);
        if (i > 0) await sleep(itlMs, gone.signal);
        if (gone.signal.aborted) return;
        chunk(i === 0 ? { role: 'assistant', content: token } : { content: token }, null, body.logprobs ? { logprobs: { content: [logprobEntry(token, i, body.top_logprobs ?? 0)] } } : {});
        this.stats.tokens_generated++;
      }
      chunk({}, out.finishReason);
      if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage })}\n\n`);
      res.write('data: [DONE]\n\n');
      res.end();
      this.requestsTotal.inc({ model: body.model, outcome: 'ok' });
    } finally {
      release();
    }
  }

  /** Never answers: the client's own timeout must fire. The socket is released when the client leaves. */
  private async hold(res: Response, signal: AbortSignal): Promise<void> {
    this.held.add(res);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.held.delete(res);
  }
}

function numberHeader(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 600_000 ? n : undefined;
}

function promptOf(messages: ReadonlyArray<{ role: string; content?: unknown }>): string {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const content = lastUser?.content;
  if (typeof content === 'string') return content;
  return JSON.stringify(content ?? messages.at(-1)?.content ?? '');
}

function logprobEntry(token: string, position: number, top: number) {
  const logprob = logprobOf(token, position);
  const bytes = [...Buffer.from(token, 'utf8')];
  return {
    token,
    logprob,
    bytes,
    top_logprobs: Array.from({ length: top }, (_, k) => (k === 0 ? { token, logprob, bytes } : { token: `${token}~${k}`, logprob: logprob - k, bytes: [...Buffer.from(`${token}~${k}`)] })),
  };
}
