import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { summarizeIssues } from '@llm/config';
import { countPromptTokens, countTokens } from '@llm/tokens';
import { MetricsRegistry } from '@llm/telemetry';
import type { Response } from 'express';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { z } from 'zod';
import type { ModelSimConfig } from '../config/model-sim.config';
import { BatchScheduler } from './batch-scheduler';
import { chooseFault, type Fault, type FaultRates } from './fault-plan';
import { SimBill, type BilledCall } from './sim-bill';
import { ChunkWriter } from './sse';
import { SimulationError } from './simulation.errors';
import { SIM_CONFIG } from './simulation.tokens';
import { generate, logprobOf, prng } from './text-generator';

const bodySchema = z.object({
  model: z.string().min(1).max(256),
  messages: z
    .array(z.object({ role: z.string(), content: z.unknown() }))
    .min(1)
    .max(4096),
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
  private readonly stats = { requests: 0, tokens_generated: 0, faults: {} as Record<string, number> };
  private readonly requestsTotal: Counter<'model' | 'outcome'>;
  private readonly queueDepth: Gauge;
  private readonly ttft: Histogram;
  /** Held-open connections (timeout and stall faults), released on shutdown. */
  private readonly held = new Set<Response>();
  private readonly bill = new SimBill();
  private readonly rates: FaultRates;

  constructor(
    @Inject(SIM_CONFIG) private readonly config: ModelSimConfig,
    metrics: MetricsRegistry,
  ) {
    this.scheduler = new BatchScheduler(config.SIM_MAX_BATCH, config.SIM_MAX_QUEUE);
    this.random = prng(config.SIM_SEED);
    this.rates = {
      '429': config.SIM_FAULT_429_RATE,
      '429-no-retry-after': config.SIM_FAULT_429_NO_RETRY_AFTER_RATE,
      '500': config.SIM_FAULT_500_RATE,
      timeout: config.SIM_FAULT_TIMEOUT_RATE,
      stall: config.SIM_FAULT_STALL_RATE,
      'headers-stall': config.SIM_FAULT_HEADERS_STALL_RATE,
      'stream-no-usage': config.SIM_FAULT_NO_USAGE_RATE,
      'stream-cut': config.SIM_FAULT_STREAM_CUT_RATE,
      'stream-error': config.SIM_FAULT_STREAM_ERROR_RATE,
      'invalid-response': config.SIM_FAULT_INVALID_RATE,
    };
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

  @Get('sim/bill')
  billView() {
    return this.bill.view();
  }

  @Post('sim/bill/reset')
  @HttpCode(204)
  resetBill(): void {
    this.bill.reset();
  }

  @Post('v1/chat/completions')
  async complete(@Body() raw: unknown, @Headers() headers: Record<string, string | undefined>, @Res() res: Response): Promise<void> {
    const parsed = bodySchema.safeParse(raw);
    if (!parsed.success) throw new SimulationError('INVALID_REQUEST', summarizeIssues(parsed.error.issues));
    const body = parsed.data;
    if (!this.config.SIM_MODELS.includes(body.model)) throw new SimulationError('MODEL_NOT_FOUND', `The model \`${body.model.slice(0, 100)}\` does not exist.`);
    this.stats.requests++;

    const fault = chooseFault(headers['x-sim-fault'], this.rates, this.random());
    if (fault !== 'none') this.stats.faults[fault] = (this.stats.faults[fault] ?? 0) + 1;
    this.refuseIfInjected(fault, body.model);

    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const started = performance.now();
    const startedAt = Date.now();
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
        prompt: groundedPrompt(body.messages) ?? promptOf(body.messages),
        seed: body.seed ?? 0,
        maxTokens: body.max_completion_tokens ?? body.max_tokens ?? this.config.SIM_DEFAULT_MAX_TOKENS,
        json: body.response_format?.type === 'json_object' || body.response_format?.type === 'json_schema',
        wantTokens: numberHeader(headers['x-sim-output-tokens']),
      });
      const promptTokens = countPromptTokens(body.messages);
      const cachedTokens = Math.min(promptTokens, numberHeader(headers['x-sim-cached-tokens']) ?? this.config.SIM_CACHED_PROMPT_TOKENS);
      // Completion tokens are counted once per answer, for its usage and its bill alike.
      const usageFor = (completion: number) => ({
        prompt_tokens: promptTokens,
        completion_tokens: completion,
        total_tokens: promptTokens + completion,
        prompt_tokens_details: { cached_tokens: cachedTokens },
      });
      const billed = (completion: number, outcome: BilledCall['outcome']) =>
        this.bill.record({
          call_id: headers['x-llm-call-id'] ?? null,
          model: body.model,
          prompt_tokens: promptTokens,
          cached_tokens: cachedTokens,
          completion_tokens: completion,
          outcome,
          started_at: startedAt,
        });
      const id = `chatcmpl-sim-${randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);

      if (!body.stream) {
        if (fault === 'headers-stall') {
          res.status(200).setHeader('Content-Type', 'application/json');
          res.flushHeaders();
          return await this.hold(res, gone.signal);
        }
        await sleep(ttftMs, gone.signal);
        this.ttft.observe((performance.now() - started) / 1000);
        await sleep(itlMs * Math.max(0, out.tokens.length - 1), gone.signal);
        // Like vLLM: an answer whose client left before it was written is not billed.
        if (gone.signal.aborted) return;
        if (fault === 'invalid-response') {
          res.json({ id, object: 'chat.completion', created, model: body.model, choices: 'not-a-list' });
          return;
        }
        const text = out.tokens.join('');
        const completionTokens = countTokens(text);
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
              message: { role: 'assistant', content: text, refusal: null },
              finish_reason: out.finishReason,
              logprobs: body.logprobs ? { content: out.tokens.map((t, i) => logprobEntry(t, i, body.top_logprobs ?? 0)) } : null,
            },
          ],
          usage: usageFor(completionTokens),
        });
        billed(completionTokens, 'completed');
        return;
      }

      // Headers go out at once, like vLLM: from here the prompt is processed and billed, with what was written.
      const writer = new ChunkWriter(res, id, created, body.model);
      writer.open();
      let written = '';
      let counted: number | undefined;
      let outcome: BilledCall['outcome'] | 'unbilled' = 'aborted';
      try {
        if (fault === 'headers-stall') return await this.hold(res, gone.signal);
        await sleep(ttftMs, gone.signal);
        this.ttft.observe((performance.now() - started) / 1000);
        if (fault === 'invalid-response') {
          outcome = 'unbilled';
          writer.choice({ content: 42 }, null);
          return writer.done();
        }
        const breakAt = ['stall', 'stream-cut', 'stream-error'].includes(fault) ? Math.min(2, out.tokens.length) : -1;
        for (const [i, token] of out.tokens.entries()) {
          if (i === breakAt) return await this.breakStream(fault, writer, res, gone.signal, headers['x-sim-stream-error-type']);
          if (i > 0) await sleep(itlMs, gone.signal);
          if (gone.signal.aborted) return;
          writer.choice(
            i === 0 ? { role: 'assistant', content: token } : { content: token },
            null,
            body.logprobs ? { logprobs: { content: [logprobEntry(token, i, body.top_logprobs ?? 0)] } } : {},
          );
          written += token;
          this.stats.tokens_generated++;
        }
        writer.choice({}, out.finishReason);
        counted = countTokens(written);
        if (body.stream_options?.include_usage && fault !== 'stream-no-usage') writer.usage(usageFor(counted));
        writer.done();
        outcome = 'completed';
        this.requestsTotal.inc({ model: body.model, outcome: 'ok' });
      } finally {
        if (outcome !== 'unbilled') billed(counted ?? countTokens(written), outcome);
      }
    } finally {
      release();
    }
  }

  private refuseIfInjected(fault: Fault, model: string): void {
    const refusals: Partial<Record<Fault, () => SimulationError>> = {
      '429': () => new SimulationError('INJECTED_RATE_LIMIT', 'Rate limit reached (simulated).', true, { retryAfterS: 1 }),
      '429-no-retry-after': () => new SimulationError('INJECTED_RATE_LIMIT', 'Rate limit reached (simulated).', true),
      '500': () => new SimulationError('INJECTED_SERVER_ERROR', 'Internal server error (simulated).', true),
      '401': () => new SimulationError('INJECTED_UNAUTHORIZED', 'Incorrect API key provided (simulated).'),
      '403': () => new SimulationError('INJECTED_FORBIDDEN', 'You are not allowed to use this model (simulated).'),
      '404': () => new SimulationError('INJECTED_NOT_FOUND', 'The deployment does not exist (simulated).'),
    };
    const refusal = refusals[fault];
    if (!refusal) return;
    this.requestsTotal.inc({ model, outcome: fault });
    throw refusal();
  }

  /** The injected ways a stream goes wrong after its first tokens. */
  private async breakStream(fault: Fault, writer: ChunkWriter, res: Response, signal: AbortSignal, errorType: string | undefined): Promise<void> {
    if (fault === 'stall') return this.hold(res, signal);
    if (fault === 'stream-error') {
      const type = errorType ?? 'server_error';
      writer.data({ error: { message: `simulated ${type} inside the stream`, type, code: type === 'rate_limit_exceeded' ? 'rate_limit_exceeded' : null } });
    }
    // No finish_reason, no [DONE]: the connection just ends.
    res.end();
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
    top_logprobs: Array.from({ length: top }, (_, k) =>
      k === 0 ? { token, logprob, bytes } : { token: `${token}~${k}`, logprob: logprob - k, bytes: [...Buffer.from(`${token}~${k}`)] },
    ),
  };
}

/** First line of the platform retriever's sources message (libs/rag SOURCES_HEADER). */
const SOURCES_HEADER = 'Answer from the numbered sources below only.';

/**
 * A grounded prompt (the retriever's numbered sources in a system message) is answered like a model that
 * quotes its best source: the first sentence of source [1] followed by its citation, `... [1]`. With no
 * sources it declines. `ECHO:` in the question still wins, so tests can script any answer.
 */
function groundedPrompt(messages: ReadonlyArray<{ role: string; content?: unknown }>): string | undefined {
  if (/ECHO:/.test(promptOf(messages))) return undefined;
  const sources = messages.find((m) => m.role === 'system' && typeof m.content === 'string' && m.content.startsWith(SOURCES_HEADER))?.content as string | undefined;
  if (sources === undefined) return undefined;
  const first = /^\[1\](?: [^:\n]*:)? (.*)$/m.exec(sources)?.[1];
  if (first === undefined) return 'ECHO: I cannot answer that from the provided documents.';
  const sentence = /^.*?[.!?](?=\s|$)/.exec(first)?.[0] ?? first;
  return `ECHO: ${sentence} [1]`;
}
