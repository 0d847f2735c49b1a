import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import { RequestStatusRepository } from '../../request-status.repository';
import { RequestError } from '../../requests.errors';
import type { AcceptRequestCommand } from './accept-request.command';

export const IDEMPOTENCY_TTL_S = Symbol('IDEMPOTENCY_TTL_S');

export interface AcceptedRequest {
  requestId: string;
  /** True when an earlier request with the same idempotency key is being returned instead. */
  replay: boolean;
}

/**
 * Accepts a request (DESIGN.md, step 1): claims the idempotency key, records status `accepted`, and makes
 * the request durable in llm.requests.v1. Only after the broker acknowledged it does the caller get an
 * answer; if the broker refuses, nothing is left behind and the caller is told to retry.
 */
@Injectable()
export class AcceptRequestUseCase {
  constructor(
    private readonly status: RequestStatusRepository,
    private readonly events: EventPublisher,
    @Inject(IDEMPOTENCY_TTL_S) private readonly idempotencyTtlS: number,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(command: AcceptRequestCommand): Promise<AcceptedRequest> {
    if (command.idempotencyKey) {
      const earlier = await this.status.claimIdempotencyKey(command.tenantId, command.idempotencyKey, command.requestId, command.fingerprint, this.idempotencyTtlS);
      if (earlier) {
        if (earlier.fingerprint !== command.fingerprint) {
          throw new RequestError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request body');
        }
        return { requestId: earlier.requestId, replay: true };
      }
    }
    const createdAt = new Date().toISOString();
    await this.status.saveAccepted(command.tenantId, command.requestId, command.mode, createdAt);
    try {
      await this.events.publish(Topics.requests, {
        request_id: command.requestId,
        tenant_id: command.tenantId,
        user_id: command.userId,
        feature: command.feature,
        priority: command.priority,
        mode: command.mode,
        created_at: createdAt,
        body: command.body,
        rag: command.rag,
      });
    } catch (err) {
      this.logger.error({ err, request_id: command.requestId, tenant_id: command.tenantId }, 'request not accepted: publish failed');
      await this.status.delete(command.tenantId, command.requestId).catch(() => undefined);
      if (command.idempotencyKey) await this.status.releaseIdempotencyKey(command.tenantId, command.idempotencyKey).catch(() => undefined);
      throw new RequestError('NOT_ACCEPTED', 'the request could not be made durable; retry shortly', true, { cause: err, retryAfterS: 1 });
    }
    this.logger.info({ request_id: command.requestId, tenant_id: command.tenantId, mode: command.mode, priority: command.priority }, 'request accepted');
    return { requestId: command.requestId, replay: false };
  }
}
