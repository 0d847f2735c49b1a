import type { Logger } from '@llm/telemetry';
import { LedgerError } from '../ledger.errors';
import { FlushFailed, MicroBatcher, type MicroBatcherOptions } from './micro-batcher';
import type { UsageIngestRepository } from './usage-ingest.repository';
import { usageKey, type UsageRow } from './usage-row';

/** Told about the rows a batch actually inserted, after their commit (never about duplicates). */
export interface UsageRecordedListener {
  onRecorded(rows: readonly UsageRow[]): Promise<void>;
}

/** true: inserted now; false: recorded before (a redelivery or replay); an error: this one row is refused. */
export type IngestOutcome = boolean | LedgerError;

/**
 * Exactly-once, batched recording. Single events are buffered for a few milliseconds (or up to N rows) and
 * written with one statement; each caller's promise settles after the commit, so the Kafka offset of an event
 * is committed only once its row (or its earlier copy) is durable. Listeners (budget settlement, alerts) see
 * only newly inserted rows, which is what keeps a replay from settling or alerting twice.
 */
export class UsageIngestion {
  private readonly batcher: MicroBatcher<UsageRow, IngestOutcome>;
  private readonly knownTenants = new Set<string>();
  /** Listeners of the last committed batch; they run while the next batch is written (a pipeline one batch deep). */
  private listening: Promise<void> = Promise.resolve();

  constructor(
    private readonly repo: UsageIngestRepository,
    private readonly listeners: readonly UsageRecordedListener[],
    private readonly log: Logger,
    options: MicroBatcherOptions,
    /** Awaited before every write (resolved after the first): the usage partitions exist. */
    private readonly ready: () => Promise<void> = () => Promise.resolve(),
  ) {
    this.batcher = new MicroBatcher((rows) => this.flush(rows), options);
  }

  record(row: UsageRow): Promise<IngestOutcome> {
    return this.batcher.submit(row);
  }

  /** Many rows with one promise (a Kafka batch); a row whose statement failed gets its own retryable error. */
  async recordMany(rows: readonly UsageRow[]): Promise<IngestOutcome[]> {
    const results = await this.batcher.submitMany(rows);
    return results.map((r) =>
      r instanceof FlushFailed
        ? r.error instanceof LedgerError
          ? r.error
          : new LedgerError('LEDGER_UNAVAILABLE', 'the ledger database could not record usage', true, { cause: r.error })
        : r,
    );
  }

  /** Runs between batches: no row is half-way between Postgres and its listeners meanwhile. */
  exclusive<V>(work: () => Promise<V>): Promise<V> {
    return this.batcher.exclusive(async () => {
      await this.listening;
      return work();
    });
  }

  async drain(): Promise<void> {
    await this.batcher.drain();
    await this.listening;
  }

  private async flush(rows: UsageRow[]): Promise<IngestOutcome[]> {
    await this.ready();
    const outcomes: IngestOutcome[] = rows.map(() => false);
    const unknown = rows.filter((r) => !this.knownTenants.has(r.tenantId)).map((r) => r.tenantId);
    if (unknown.length > 0) for (const t of await this.call(() => this.repo.existingTenants([...new Set(unknown)]))) this.knownTenants.add(t);
    // The same call twice in one batch is written once; the copy answers "already recorded".
    const firstOf = new Map<string, number>();
    const toWrite: UsageRow[] = [];
    rows.forEach((row, i) => {
      if (!this.knownTenants.has(row.tenantId)) {
        outcomes[i] = new LedgerError('UNKNOWN_TENANT', 'usage for a tenant the ledger does not know', false);
        return;
      }
      const key = usageKey(row);
      if (firstOf.has(key)) return;
      firstOf.set(key, i);
      toWrite.push(row);
    });
    const inserted = await this.call(() => this.repo.insertBatch(toWrite));
    const insertedRows: UsageRow[] = [];
    for (const k of inserted) {
      const i = firstOf.get(usageKey(k));
      if (i === undefined) continue;
      outcomes[i] = true;
      insertedRows.push(rows[i]!);
    }
    // This batch's listeners run while the next batch is written; its events are answered once the previous
    // batch's listeners finished, which bounds the pipeline to one batch.
    const previous = this.listening;
    this.listening = previous.then(() => this.notify(insertedRows));
    await previous;
    return outcomes;
  }

  private async notify(rows: readonly UsageRow[]): Promise<void> {
    for (const listener of this.listeners) {
      // Committed already: a listener's failure must not fail (and so redeliver) the events. Budget state is
      // rebuilt from Postgres by reconciliation, which is why it may be best-effort here.
      await listener.onRecorded(rows).catch((err: unknown) => this.log.warn({ err }, 'usage listener failed; reconciliation repairs it'));
    }
  }

  private async call<V>(work: () => Promise<V>): Promise<V> {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: string }).code;
      // 23503: a tenant deleted between the check and the insert; the retry sees it gone.
      this.knownTenants.clear();
      throw new LedgerError('LEDGER_UNAVAILABLE', `the ledger database could not record usage${code ? ` (${code})` : ''}`, true, { cause: err });
    }
  }
}
