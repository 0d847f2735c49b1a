import { Injectable } from '@nestjs/common';
import { unavailableOnFailure } from '@llm/errors';
import { requestId as requestIdSchema } from '@llm/contracts';
import { ResultStreamReader } from '@llm/result-stream';
import { RequestStatusStore, type RequestStatusRecord } from '../../request-status.repository';
import { RequestError } from '../../requests.errors';

/**
 * Status of one of the caller's own requests. Another tenant's request id is simply not found: the lookup is
 * scoped by the authenticated tenant, so ids cannot be probed across tenants.
 */
@Injectable()
export class GetRequestStatusUseCase {
  constructor(
    private readonly status: RequestStatusStore,
    private readonly streams: ResultStreamReader,
  ) {}

  async execute(tenantId: string, requestId: string): Promise<RequestStatusRecord> {
    if (!requestIdSchema.safeParse(requestId).success) throw new RequestError('INVALID_REQUEST', 'request id must be a UUID');
    const record = await this.status.find(tenantId, requestId);
    if (!record) throw new RequestError('REQUEST_NOT_FOUND', 'no such request');
    if (record.result) return record;
    // The terminal event may have reached the stream before the status consumer recorded it.
    const result = await unavailableOnFailure('the request store', () => this.streams.terminal(tenantId, requestId));
    return result ? { ...record, status: result.status, result } : record;
  }
}
