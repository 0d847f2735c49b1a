import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ResultStreamReader } from '@llm/result-stream';
import type { Request, Response } from 'express';
import { ApiKeyGuard, CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { toStatusView } from './completion.mapper';
import { SYNC_TIMEOUT_MS } from './requests.tokens';
import { SseWriter } from './sse.writer';
import { AcceptRequestCommand } from './use-cases/accept-request/accept-request.command';
import { AcceptRequestUseCase } from './use-cases/accept-request/accept-request.use-case';
import { GetRequestStatusUseCase } from './use-cases/get-request-status/get-request-status.use-case';

/** Async API: `POST /v1/requests` answers 202 once the request is durable; poll or stream by id. */
@Controller('v1/requests')
@UseGuards(ApiKeyGuard)
export class RequestsController {
  constructor(
    private readonly accept: AcceptRequestUseCase,
    private readonly getStatus: GetRequestStatusUseCase,
    private readonly streams: ResultStreamReader,
    @Inject(SYNC_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  @Post()
  @HttpCode(202)
  async submit(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Headers() headers: Record<string, string | undefined>, @Res({ passthrough: true }) res: Response) {
    const payload = (typeof body === 'object' && body !== null ? body : {}) as { rag?: unknown; stream?: unknown };
    const command = AcceptRequestCommand.create({
      tenantId: principal.tenantId,
      tier: principal.tier,
      mode: 'async',
      body: { ...payload, stream: undefined, rag: undefined },
      rag: payload.rag,
      priorityHint: headers['x-priority'],
      idempotencyKey: headers['idempotency-key'],
      userId: headers['x-user-id'],
      feature: headers['x-feature'],
    });
    const accepted = await this.accept.execute(command);
    res.setHeader('Location', `/v1/requests/${accepted.requestId}`);
    return { request_id: accepted.requestId, status: 'accepted', idempotent_replay: accepted.replay };
  }

  @Get(':id')
  async status(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return toStatusView(await this.getStatus.execute(principal.tenantId, id));
  }

  /** Server-sent events of a request's stream; resumes after `Last-Event-ID`. */
  @Get(':id/events')
  async events(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Headers('last-event-id') lastEventId: string | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.getStatus.execute(principal.tenantId, id);
    const gone = new AbortController();
    req.on('close', () => gone.abort());
    const sse = new SseWriter(res, id, 'unknown', true);
    sse.open();
    const afterId = lastEventId && /^\d+-\d+$/.test(lastEventId) ? lastEventId : '0';
    const result = await this.streams.follow(principal.tenantId, id, { afterId, timeoutMs: this.timeoutMs, signal: gone.signal, onEntry: ({ id: entryId, event }) => sse.write(entryId, event) });
    if (!result && !gone.signal.aborted) sse.timeout();
  }
}
