import { Topics, type RequestMode } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { quietLogger } from '@llm/testing';
import type { RequestStatusRepository } from '../../request-status.repository';
import { RequestError } from '../../requests.errors';
import { AcceptRequestCommand, type AcceptRequestInput } from './accept-request.command';
import { AcceptRequestUseCase } from './accept-request.use-case';

class FakeStatus {
  readonly idem = new Map<string, string>();
  readonly accepted = new Map<string, RequestMode>();
  async claimIdempotencyKey(tenant: string, key: string, id: string, fp: string) {
    const k = `${tenant}/${key}`;
    const existing = this.idem.get(k);
    if (existing) {
      const [requestId = '', fingerprint = ''] = existing.split('|');
      return { requestId, fingerprint };
    }
    this.idem.set(k, `${id}|${fp}`);
    return undefined;
  }
  async releaseIdempotencyKey(tenant: string, key: string) {
    this.idem.delete(`${tenant}/${key}`);
  }
  async saveAccepted(tenant: string, id: string, mode: RequestMode) {
    this.accepted.set(`${tenant}/${id}`, mode);
  }
  async delete(tenant: string, id: string) {
    this.accepted.delete(`${tenant}/${id}`);
  }
}

const input = (overrides: Partial<AcceptRequestInput> = {}): AcceptRequestInput => ({
  tenantId: 'acme',
  tier: 'paid',
  mode: 'sync',
  body: { model: 'auto', messages: [{ role: 'user', content: 'hello' }] },
  ...overrides,
});

describe('AcceptRequestCommand', () => {
  it.each([
    ['a non-object body', { body: 'hello' }],
    ['no messages', { body: { model: 'auto' } }],
    ['a wrong type', { body: { model: 42, messages: [{ role: 'user', content: 'x' }] } }],
    ['an oversized idempotency key', { idempotencyKey: 'k'.repeat(300) }],
    ['a user id with spaces', { userId: 'alice smith' }],
    ['bad rag options', { rag: { collection: '../etc', top_k: 1000 } }],
  ])('rejects %s with INVALID_REQUEST', (_what, patch) => {
    expect(() => AcceptRequestCommand.create(input(patch as Partial<AcceptRequestInput>))).toThrow(RequestError);
  });

  it('derives the band from the tier, lets callers ask for batch, and detects streaming', () => {
    expect(AcceptRequestCommand.create(input()).priority).toBe('realtime-paid');
    expect(AcceptRequestCommand.create(input({ tier: 'free' })).priority).toBe('realtime-free');
    expect(AcceptRequestCommand.create(input({ priorityHint: 'batch' })).priority).toBe('batch');
    expect(AcceptRequestCommand.create(input({ body: { model: 'auto', stream: true, messages: [{ role: 'user', content: 'x' }] } })).mode).toBe('stream');
  });

  it('ignores a tenant id smuggled into the body', () => {
    const cmd = AcceptRequestCommand.create(input({ body: { model: 'auto', tenant_id: 'globex', messages: [{ role: 'user', content: 'x' }] } }));
    expect(cmd.tenantId).toBe('acme');
    expect(cmd.body).not.toHaveProperty('tenant_id');
  });
});

describe('AcceptRequestUseCase', () => {
  let status: FakeStatus;
  let events: InMemoryEventPublisher;
  let useCase: AcceptRequestUseCase;

  beforeEach(() => {
    status = new FakeStatus();
    events = new InMemoryEventPublisher();
    useCase = new AcceptRequestUseCase(status as unknown as RequestStatusRepository, events, 86_400, quietLogger());
  });

  it('records the request as accepted and makes it durable on llm.requests.v1', async () => {
    const { requestId, replay } = await useCase.execute(AcceptRequestCommand.create(input()));
    expect(replay).toBe(false);
    expect(status.accepted.get(`acme/${requestId}`)).toBe('sync');
    expect(events.on(Topics.requests)[0]).toMatchObject({ request_id: requestId, tenant_id: 'acme', priority: 'realtime-paid', mode: 'sync' });
  });

  it('returns the first request for a repeated idempotency key and publishes once', async () => {
    const first = await useCase.execute(AcceptRequestCommand.create(input({ idempotencyKey: 'k-1' })));
    const second = await useCase.execute(AcceptRequestCommand.create(input({ idempotencyKey: 'k-1' })));
    expect(second).toEqual({ requestId: first.requestId, replay: true });
    expect(events.on(Topics.requests)).toHaveLength(1);
  });

  it('refuses an idempotency key reused with another body', async () => {
    await useCase.execute(AcceptRequestCommand.create(input({ idempotencyKey: 'k-2' })));
    const other = input({ idempotencyKey: 'k-2', body: { model: 'auto', messages: [{ role: 'user', content: 'different' }] } });
    await expect(useCase.execute(AcceptRequestCommand.create(other))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('leaves nothing behind and says retry when the broker refuses the request', async () => {
    events.failNext = new Error('broker down');
    const err = await useCase.execute(AcceptRequestCommand.create(input({ idempotencyKey: 'k-3' }))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_ACCEPTED', retryable: true });
    expect(status.accepted.size).toBe(0);
    expect(status.idem.size).toBe(0);
  });
});
