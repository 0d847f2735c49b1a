import { randomUUID } from 'node:crypto';
import { Controller, Get, HttpCode, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import { countPromptTokens, countTokens } from '@llm/tokens';
import { MetricsRegistry } from '@llm/telemetry';
import type { Request, Response } from 'express';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { ModelSimConfig } from '../config/model-sim.config';
import { BatchScheduler } from './batch-scheduler';
import { DialectErrorFilter } from './dialects/dialect-error.filter';
import { acceptChat } from './dialects/dialect-request';
import { CHAT_PATHS, dialectOfPath, MODELS_PATHS } from './dialects/sim-dialects';
import { chooseFault, type Fault, type FaultRates } from './fault-plan';
import { planChoices, type PlannedChoice } from './generation/completion-plan';
import { logprobOf, prng } from './generation/text-generator';
import { outputFormatOf, type ChatRequest } from './request/chat-request.schema';
import { SimBill, type BilledCall } from './sim-bill';
import { SimRequestLog } from './sim-request-log';
import { ChunkWriter } from './sse';
import { SimulationError } from './simulation.errors';
import { SIM_CONFIG } from './simulation.tokens';
import { scriptedPrompt } from './generation/scripted-answer';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * OpenAI-compatible chat completions with vLLM-like validation, timing, batching and injectable faults, in
 * the dialect of the host the request's path names (dialects/sim-dialects.ts; vLLM at the root).
 */
@Controller()
@UseFilters(DialectErrorFilter)
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
  private readonly log = new SimRequestLog();
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
      'invalid-json': config.SIM_FAULT_INVALID_JSON_RATE,
      'schema-mismatch': config.SIM_FAULT_SCHEMA_MISMATCH_RATE,
    };
    this.requestsTotal = metrics.counter('sim_requests_total', 'Requests by model and outcome', ['model', 'outcome']);
    this.queueDepth = metrics.gauge('sim_queue_depth', 'Requests waiting for a batch slot');
    this.ttft = metrics.histogram('sim_time_to_first_token_seconds', 'Queue wait plus time to first token', [], [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  }

  onModuleDestroy(): void {
    for (const res of this.held) res.destroy();
  }

  @Get(MODELS_PATHS)
  models() {
    return { object: 'list', data: this.config.SIM_MODELS.map((id) => this.card(id)) };
  }

  @Get(MODELS_PATHS.map((p) => `${p}/:id`))
  model(@Req() req: Request) {
    const id = String(req.params['id']);
    if (!this.config.SIM_MODELS.includes(id)) throw Object.assign(new SimulationError('MODEL_NOT_FOUND', `The model \`${id.slice(0, 100)}\` does not exist.`), { param: 'model' });
    return this.card(id);
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

  @Get('sim/requests')
  requestsView() {
    return this.log.view();
  }

  @Post('sim/requests/reset')
  @HttpCode(204)
  resetRequests(): void {
    this.log.reset();
  }

  @Post(CHAT_PATHS)
  @HttpCode(200)
  async complete(@Req() req: Request, @Res() res: Response): Promise<void> {
    const dialect = dialectOfPath(req.path);
    const headers = req.headers as Record<string, string | undefined>;
    const { body, model } = acceptChat(
      dialect,
      { body: req.body as unknown, headers: req.headers, query: req.query, params: req.params },
      { models: this.config.SIM_MODELS, apiKey: this.config.SIM_API_KEY, priorityScheduling: this.config.SIM_PRIORITY_SCHEDULING },
    );
    this.log.record({
      dialect: dialect.id,
      path: req.path,
      model,
      priority: body.priority ?? null,
      schema_via: body.structured_outputs?.json ? 'structured_outputs' : body.guided_json ? 'guided_json' : body.response_format?.type === 'json_schema' ? 'response_format' : null,
      params: Object.keys(body).sort(),
    });
    const promptTokens = countPromptTokens(body.messages as Parameters<typeof countPromptTokens>[0]);
    const maxTokens = body.max_completion_tokens ?? body.max_tokens;
    if (promptTokens + (maxTokens ?? 0) > this.config.SIM_MAX_MODEL_LEN)
      throw SimulationError.invalid(
        `This model's maximum context length is ${this.config.SIM_MAX_MODEL_LEN} tokens. However, you requested ${promptTokens + (maxTokens ?? 0)} tokens (${promptTokens} in the messages, ${maxTokens ?? 0} in the completion). Please reduce the length of the messages or completion.`,
        maxTokens ? 'max_tokens' : 'messages',
      );
    this.stats.requests++;

    const fault = chooseFault(headers['x-sim-fault'], this.rates, this.random());
    if (fault !== 'none') this.stats.faults[fault] = (this.stats.faults[fault] ?? 0) + 1;
    this.refuseIfInjected(fault, model);

    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const started = performance.now();
    const startedAt = Date.now();
    this.queueDepth.set(this.scheduler.queued + 1);
    let release: () => void;
    try {
      release = await this.scheduler.admit(gone.signal, body.priority ?? 0);
    } catch (err) {
      if (err instanceof SimulationError) {
        this.requestsTotal.inc({ model, outcome: 'overloaded' });
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
      const choices = planChoices({
        body,
        model,
        prompt: scriptedPrompt(body.messages, model) ?? groundedPrompt(body.messages) ?? promptOf(body.messages),
        format: outputFormatOf(body),
        maxTokens: maxTokens ?? this.config.SIM_DEFAULT_MAX_TOKENS,
        wantTokens: numberHeader(headers['x-sim-output-tokens']),
        corrupt: fault === 'invalid-json' || fault === 'schema-mismatch' ? fault : undefined,
        echo: !this.config.SIM_IGNORE_ECHO_MODELS.includes(model),
      });
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
          model,
          prompt_tokens: promptTokens,
          cached_tokens: cachedTokens,
          completion_tokens: completion,
          outcome,
          started_at: startedAt,
        });
      const id = `chatcmpl-sim-${randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);
      const steps = Math.max(...choices.map(stepsOf));

      if (!body.stream) {
        if (fault === 'headers-stall') {
          res.status(200).setHeader('Content-Type', 'application/json');
          res.flushHeaders();
          return await this.hold(res, gone.signal);
        }
        await sleep(ttftMs, gone.signal);
        this.ttft.observe((performance.now() - started) / 1000);
        await sleep(itlMs * Math.max(0, steps - 1), gone.signal);
        // Like vLLM: an answer whose client left before it was written is not billed.
        if (gone.signal.aborted) return;
        if (fault === 'invalid-response') {
          res.status(200).json({ id, object: 'chat.completion', created, model, choices: 'not-a-list' });
          return;
        }
        const completionTokens = choices.reduce((sum, c) => sum + countTokens(textOf(c)), 0);
        this.stats.tokens_generated += choices.reduce((sum, c) => sum + stepsOf(c), 0);
        this.requestsTotal.inc({ model, outcome: 'ok' });
        res.status(200).json({
          id,
          object: 'chat.completion',
          created,
          model,
          system_fingerprint: 'model-sim',
          choices: choices.map((c) => ({ ...messageChoice(c, body), ...(dialect.contentFilter ? { content_filter_results: CONTENT_FILTER } : {}) })),
          usage: usageFor(completionTokens),
          ...(dialect.contentFilter ? { prompt_filter_results: [{ prompt_index: 0, content_filter_results: CONTENT_FILTER }] } : {}),
        });
        billed(completionTokens, 'completed');
        return;
      }

      // Headers go out at once, like vLLM: from here the prompt is processed and billed, with what was written.
      const writer = new ChunkWriter(res, id, created, model);
      writer.open();
      const written = choices.map(() => '');
      const counted = () => written.reduce((sum, text) => sum + countTokens(text), 0);
      let outcome: BilledCall['outcome'] | 'unbilled' = 'aborted';
      try {
        if (fault === 'headers-stall') return await this.hold(res, gone.signal);
        await sleep(ttftMs, gone.signal);
        this.ttft.observe((performance.now() - started) / 1000);
        if (dialect.contentFilter)
          writer.data({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: CONTENT_FILTER }] });
        if (fault === 'invalid-response') {
          outcome = 'unbilled';
          writer.choice({ content: 42 }, null);
          return writer.done();
        }
        const breakAt = ['stall', 'stream-cut', 'stream-error'].includes(fault) ? Math.min(2, steps) : -1;
        for (let step = 0; step < steps; step++) {
          if (step === breakAt) return await this.breakStream(fault, writer, res, gone.signal, headers['x-sim-stream-error-type']);
          if (step > 0) await sleep(itlMs, gone.signal);
          if (gone.signal.aborted) return;
          for (const c of choices) {
            const piece = streamPiece(c, step, body);
            if (!piece) continue;
            writer.choice(piece.delta, null, piece.extra, c.index);
            written[c.index] += piece.text;
            this.stats.tokens_generated++;
          }
        }
        for (const c of choices) writer.choice({}, c.finishReason, { stop_reason: c.stopReason }, c.index);
        if (body.stream_options?.include_usage && fault !== 'stream-no-usage') writer.usage(usageFor(counted()));
        writer.done();
        outcome = 'completed';
        this.requestsTotal.inc({ model, outcome: 'ok' });
      } finally {
        if (outcome !== 'unbilled') billed(counted(), outcome);
      }
    } finally {
      release();
    }
  }

  private card(id: string) {
    return { id, object: 'model', created: 0, owned_by: 'model-sim', root: id, parent: null, max_model_len: 32768 };
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

const CONTENT_FILTER = Object.fromEntries(['hate', 'self_harm', 'sexual', 'violence'].map((k) => [k, { filtered: false, severity: 'safe' }]));

function stepsOf(c: PlannedChoice): number {
  return c.toolCall ? c.toolCall.argumentTokens.length : c.tokens.length;
}

function textOf(c: PlannedChoice): string {
  return c.toolCall ? c.toolCall.argumentTokens.join('') : c.tokens.join('');
}

function messageChoice(c: PlannedChoice, body: ChatRequest) {
  const call = c.toolCall;
  return {
    index: c.index,
    message: call
      ? { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: textOf(c) } }] }
      : { role: 'assistant', content: textOf(c), refusal: null },
    finish_reason: c.finishReason,
    stop_reason: c.stopReason,
    logprobs: body.logprobs && !call ? { content: c.tokens.map((t, i) => logprobEntry(t, i, body.top_logprobs ?? 0)) } : null,
  };
}

/** The delta one choice sends at one step of the stream; undefined once the choice has nothing left. */
function streamPiece(c: PlannedChoice, step: number, body: ChatRequest): { delta: object; extra: object; text: string } | undefined {
  const call = c.toolCall;
  if (call) {
    const args = call.argumentTokens[step];
    if (args === undefined) return undefined;
    const head = step === 0 ? { id: call.id, type: 'function', function: { name: call.name, arguments: args } } : { function: { arguments: args } };
    return { delta: step === 0 ? { role: 'assistant', content: null, tool_calls: [{ index: 0, ...head }] } : { tool_calls: [{ index: 0, ...head }] }, extra: {}, text: args };
  }
  const token = c.tokens[step];
  if (token === undefined) return undefined;
  return {
    delta: step === 0 ? { role: 'assistant', content: token } : { content: token },
    extra: body.logprobs ? { logprobs: { content: [logprobEntry(token, step, body.top_logprobs ?? 0)] } } : {},
    text: token,
  };
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
