import { unavailableOnFailure } from '@llm/errors';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ResultStreamReader } from '@llm/result-stream';
import type { Request, Response } from 'express';
import { AdmissionGate } from '../admission/admission-gate';
import { ApiKeyGuard, CurrentPrincipal, type Principal } from '@llm/tenant-auth';
import { INGRESS_CONFIG, type IngressConfig } from '../config/ingress.config';
import { ClientDisconnect } from './client-disconnect';
import { toStatusView } from './completion.mapper';
import { SseWriter } from './sse.writer';
import { AcceptRequestCommand } from './use-cases/accept-request/accept-request.command';
import { AcceptRequestUseCase } from './use-cases/accept-request/accept-request.use-case';
import { GetRequestStatusUseCase } from './use-cases/get-request-status/get-request-status.use-case';
import { waitBudget } from './wait-budget';

/** Async API: `POST /v1/requests` answers 202 once the request is durable; poll or stream by id. */
@Controller('v1/requests')
@UseGuards(ApiKeyGuard)
export class RequestsController {
  constructor(
    private readonly accept: AcceptRequestUseCase,
    private readonly gate: AdmissionGate,
    private readonly getStatus: GetRequestStatusUseCase,
    private readonly streams: ResultStreamReader,
    @Inject(INGRESS_CONFIG) private readonly config: Pick<IngressConfig, 'SYNC_TIMEOUT_MS'>,
  ) {}

  @Post()
  @HttpCode(202)
  async submit(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Headers() headers: Record<string, string | undefined>, @Res({ passthrough: true }) res: Response) {
    const payload = (typeof body === 'object' && body !== null ? body : {}) as { rag?: unknown; stream?: unknown };
    const plan = this.gate.plan(principal);
    const command = AcceptRequestCommand.create({
      tenantId: principal.tenantId,
      allowedTiers: this.gate.allowedTiers(plan),
      screening: plan.screening,
      tier: this.gate.tierOf(plan),
      mode: 'async',
      body: { ...payload, stream: undefined, rag: undefined },
      rag: payload.rag,
      priorityHint: headers['x-priority'],
      idempotencyKey: headers['idempotency-key'],
      userId: headers['x-user-id'],
      feature: headers['x-feature'],
      cache: headers['x-llm-cache'],
    });
    // Read-only, and in the same round trip as the admission's commands; used only once the request is admitted.
    const prefetched = this.accept.prefetch(command);
    const admission = await this.gate.enter(principal, plan, command, res);
    const accepted = await this.gate.accepting(admission, () => this.accept.execute(command, undefined, prefetched));
    // A hit answered from the exact cache is finished already, and its result is marked recorded (the results
    // consumer skips it): its in-flight slot is freed here; if that fails, the slot expires with the deadline.
    if (accepted.answer) void admission.inFlight.release().catch(() => undefined);
    res.setHeader('Location', `/v1/requests/${accepted.requestId}`);
    return { request_id: accepted.requestId, status: 'accepted', idempotent_replay: accepted.replay };
  }

  @Get(':id')
  async status(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return toStatusView(await this.getStatus.execute(principal.tenantId, id));
  }

  /**
   * Server-sent events of a request's stream; resumes after `Last-Event-ID` without repeating what the client
   * has. Leaving does not cancel the request: this endpoint is for reconnecting to it.
   */
  @Get(':id/events')
  async events(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const disconnect = new ClientDisconnect(req, res);
    try {
      const record = await this.getStatus.execute(principal.tenantId, id);
      const afterId = lastEventId && /^\d+-\d+$/.test(lastEventId) ? lastEventId : '0';
      const sse = new SseWriter(res, id, record.result?.model ?? 'unknown', true, afterId !== '0');
      sse.open();
      const wait = waitBudget(this.config.SYNC_TIMEOUT_MS, record.deadlineAt);
      const result = await unavailableOnFailure('the request store', () =>
        this.streams.follow(principal.tenantId, id, {
          afterId,
          timeoutMs: wait.timeoutMs,
          signal: disconnect.signal,
          onEntry: ({ id: entryId, event }) => sse.write(entryId, event),
        }),
      );
      if (!result && !disconnect.gone) sse.timeout(wait.expired());
    } finally {
      disconnect.dispose();
    }
  }
}
