import type { LlmResultV1, UsageV1 } from '@llm/contracts';
import type { CallOutcome, CallSpec } from '../../calls/provider-call.runner';
import { CallOutbox, RequestLease, type BatchEntry, type LeaseHandle, type StoredOutcome } from '../../outbox/call-outbox';
import type { CallRunner, CancellationCheck } from './run-inference.use-case';

export class InMemoryCallOutbox extends CallOutbox {
  readonly stored = new Map<string, StoredOutcome>();

  async load(_tenantId: string, requestId: string): Promise<StoredOutcome> {
    const s = this.entry(requestId);
    return { calls: s.calls, usages: [...s.usages], ...(s.result ? { result: s.result } : {}), ...(s.batch ? { batch: s.batch } : {}) };
  }

  async saveBatch(entry: BatchEntry): Promise<void> {
    this.entry(entry.request.request_id).batch = entry;
  }

  async nextCallId(_tenantId: string, requestId: string): Promise<string> {
    return `c${++this.entry(requestId).calls}`;
  }

  async saveUsage(usage: UsageV1): Promise<void> {
    const s = this.entry(usage.request_id);
    s.usages = [...s.usages.filter((u) => u.call_id !== usage.call_id), usage];
  }

  async saveResult(result: LlmResultV1, usages: readonly UsageV1[] = []): Promise<void> {
    for (const usage of usages) await this.saveUsage(usage);
    this.entry(result.request_id).result = result;
  }

  private entry(requestId: string): StoredOutcome {
    let s = this.stored.get(requestId);
    if (!s) this.stored.set(requestId, (s = { calls: 0, usages: [] }));
    return s;
  }
}

export class InMemoryLease extends RequestLease {
  readonly held = new Set<string>();
  /** False: every renewal finds the lease taken (it expired and another worker got it). */
  renewable = true;

  async acquire(_tenantId: string, requestId: string): Promise<LeaseHandle | undefined> {
    if (this.held.has(requestId)) return undefined;
    this.held.add(requestId);
    return { renew: async () => this.renewable, release: async () => void this.held.delete(requestId) };
  }
}

/** Answers each call from a script per model; a script may stream deltas through the spec like the real runner. */
export class ScriptedRunner implements CallRunner {
  readonly calls: CallSpec[] = [];
  scripts: Record<string, (spec: CallSpec) => Promise<CallOutcome>> = {};

  async run(spec: CallSpec): Promise<CallOutcome> {
    this.calls.push(spec);
    const script = this.scripts[spec.target.model];
    if (!script) throw new Error(`no script for ${spec.target.model}`);
    return script(spec);
  }
}

export class SwitchableCancellation implements CancellationCheck {
  cancelled = false;
  private readonly watchers = new Set<() => void>();

  async isCancelled(): Promise<boolean> {
    return this.cancelled;
  }

  async watch(_tenantId: string, _requestId: string, onCancel: () => void): Promise<() => Promise<void>> {
    if (this.cancelled) onCancel();
    this.watchers.add(onCancel);
    return async () => void this.watchers.delete(onCancel);
  }

  /** The caller leaves while the request runs. */
  cancel(): void {
    this.cancelled = true;
    for (const w of this.watchers) w();
  }
}
