import { Body, Controller, Headers, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ResultStreamReader } from '@llm/result-stream';
import type { Request, Response } from 'express';
import { ApiKeyGuard, CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { toHttpOutcome } from './completion.mapper';
import { RequestError } from './requests.errors';
import { SYNC_TIMEOUT_MS } from './requests.tokens';
import { SseWriter } from './sse.writer';
import { AcceptRequestCommand } from './use-cases/accept-request/accept-request.command';
import { AcceptRequestUseCase } from './use-cases/accept-request/accept-request.use-case';

/** OpenAI-compatible `POST /v1/chat/completions`: the request is made durable first, then the caller waits. */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class ChatCompletionsController {
  constructor(
    private readonly accept: AcceptRequestUseCase,
    private readonly streams: ResultStreamReader,
    @Inject(SYNC_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  @Post('chat/completions')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Headers() headers: Record<string, string | undefined>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const command = AcceptRequestCommand.create({
      tenantId: principal.tenantId,
      tier: principal.tier,
      mode: 'sync',
      body,
      priorityHint: headers['x-priority'],
      idempotencyKey: headers['idempotency-key'],
      userId: headers['x-user-id'],
      feature: headers['x-feature'],
    });
    const { requestId } = await this.accept.execute(command);
    const gone = new AbortController();
    req.on('close', () => gone.abort());

    if (command.mode === 'stream') {
      const includeUsage = (body as { stream_options?: { include_usage?: unknown } }).stream_options?.include_usage === true;
      const sse = new SseWriter(res, requestId, command.body.model, includeUsage);
      sse.open();
      const result = await this.streams.follow(principal.tenantId, requestId, {
        timeoutMs: this.timeoutMs,
        signal: gone.signal,
        onEntry: ({ id, event }) => sse.write(id, event),
      });
      if (!result && !gone.signal.aborted) sse.timeout();
      return;
    }

    const result = await this.streams.follow(principal.tenantId, requestId, { timeoutMs: this.timeoutMs, signal: gone.signal });
    if (gone.signal.aborted) return;
    if (!result) throw new RequestError('REQUEST_TIMEOUT', `no answer within ${this.timeoutMs} ms; the request goes on: poll GET /v1/requests/${requestId}`, true);
    const outcome = toHttpOutcome(result);
    res.setHeader('x-request-id', requestId);
    res.setHeader('x-cache', result.source === 'cache' ? 'HIT' : 'MISS');
    if (outcome.retryAfterS !== undefined) res.setHeader('Retry-After', String(outcome.retryAfterS));
    res.status(outcome.status).json(outcome.body);
  }
}
