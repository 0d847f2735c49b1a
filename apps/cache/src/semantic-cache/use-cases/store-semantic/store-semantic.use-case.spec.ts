import { DeterministicEmbedder } from '@llm/embeddings';
import { chatCompletion, llmResult } from '@llm/testing';
import type { PendingEntry, SemanticAnswer, SemanticCacheRepository } from '../../semantic-cache.repository';
import { StoreSemanticCommand } from './store-semantic.command';
import { StoreSemanticUseCase } from './store-semantic.use-case';

class FakeRepository implements Pick<SemanticCacheRepository, 'takePending' | 'save'> {
  pending = new Map<string, PendingEntry>();
  saved: { entryId: string; answer: SemanticAnswer }[] = [];
  failSave = false;
  async takePending(tenantId: string, requestId: string) {
    const p = this.pending.get(`${tenantId}/${requestId}`);
    this.pending.delete(`${tenantId}/${requestId}`);
    return p;
  }
  async save(_tenantId: string, entryId: string, _pending: PendingEntry, _vector: Float32Array, answer: SemanticAnswer) {
    if (this.failSave) throw new Error('vector store down');
    this.saved.push({ entryId, answer });
  }
}

describe('store semantic entry', () => {
  const warnings: unknown[] = [];
  const logger = { warn: (...args: unknown[]) => void warnings.push(args) };
  const result = (overrides = {}) => llmResult({ tenant_id: 'acme', response: chatCompletion('answer'), cost_micros: 42, ...overrides });

  it('stores a complete model answer under the question its miss left pending, with its cost', async () => {
    const repo = new FakeRepository();
    const r = result();
    repo.pending.set(`acme/${r.request_id}`, { question: 'q', context: 'c', feature: '', collection: '' });
    expect(await new StoreSemanticUseCase(repo, new DeterministicEmbedder(), logger).execute(StoreSemanticCommand.create(r))).toBe(true);
    expect(repo.saved).toEqual([{ entryId: expect.stringMatching(/^[a-f0-9]{64}$/), answer: { completion: r.response, cost_micros: 42 } }]);
  });

  it('stores nothing without a pending record (cache off, not applicable) or for cache replays', async () => {
    const repo = new FakeRepository();
    const useCase = new StoreSemanticUseCase(repo, new DeterministicEmbedder(), logger);
    expect(await useCase.execute(StoreSemanticCommand.create(result()))).toBe(false);
    const replay = result({ source: 'cache' });
    repo.pending.set(`acme/${replay.request_id}`, { question: 'q', context: 'c', feature: '', collection: '' });
    expect(await useCase.execute(StoreSemanticCommand.create(replay))).toBe(false);
    expect(repo.saved).toEqual([]);
  });

  it('a failing store is logged and reported, never thrown (the result must not be retried or dead-lettered for it)', async () => {
    const repo = new FakeRepository();
    repo.failSave = true;
    const r = result();
    repo.pending.set(`acme/${r.request_id}`, { question: 'q', context: 'c', feature: '', collection: '' });
    await expect(new StoreSemanticUseCase(repo, new DeterministicEmbedder(), logger).execute(StoreSemanticCommand.create(r))).resolves.toBe(false);
    expect(warnings).toHaveLength(1);
  });
});
