import type { TrackedRequest } from './load-driver';
import { callEndedEarly, callIdentity, TERMINAL, type BillCall, type SeenResult, type UsageRow } from './observer';

export interface PhaseEvidence {
  fault: string;
  requests: TrackedRequest[];
  /** Final GET status per HTTP request, by tracked index. */
  httpStatus: Map<TrackedRequest, string | undefined>;
  results: Map<string, SeenResult[]>;
  usage: UsageRow[];
  /** The phase's slice of model-sim's bill. */
  bill: BillCall[];
  price: (call: BillCall) => number;
  faultAt: number | undefined;
  /**
   * When an inference worker was killed (SIGKILL), if this phase killed one. A call it had already made can
   * never be charged: the only process that would learn its tokens died with it (the provider billed it, we
   * cannot). Such calls, and only calls model-sim received before the kill, are counted in their own column;
   * any other call billed and not charged is a ledger gap.
   */
  workerKilledAt: number | undefined;
}

export interface PhaseVerdict {
  fault: string;
  accepted: number;
  refused: number;
  completed: number;
  lost: number;
  conflicting: number;
  duplicated: number;
  doubleCharged: number;
  /** Provider calls lost with a killed worker (see workerKilledAt), and what model-sim billed for them. */
  crashLost: number;
  crashLostMicros: number;
  /** Ledger minus bill over streams their caller cut (see below), and how many such calls differed. */
  abortedDrift: number;
  abortedCalls: number;
  ledgerMicros: number;
  billMicros: number;
  /** ledger - (bill - crash-lost - cut-stream drift) in micros; 0 is the only correct value. */
  ledgerGap: number;
  recoveryMs: number | undefined;
  notes: string[];
}

/** Enough lost requests to trace a cause, not a wall of them. */
const MAX_LOST_NOTES = 10;

export function judge(e: PhaseEvidence): PhaseVerdict {
  const notes: string[] = [];
  const accepted = e.requests.filter((r) => r.acceptedAt !== undefined);
  let completed = 0;
  let lost = 0;
  let conflicting = 0;
  for (const r of accepted) {
    const seen = e.results.get(`${r.tenant.id}/${r.id}`) ?? [];
    if (new Set(seen.map((s) => s.fingerprint)).size > 1) conflicting++;
    const terminal = r.kind === 'inbound' ? seen.length > 0 : TERMINAL.has(e.httpStatus.get(r) ?? '');
    if (terminal) completed++;
    else {
      lost++;
      // Enough to find the request in the services' logs (.local/state/faults/*.log) when a run fails.
      const at = (t: number | undefined) => (t === undefined || e.faultAt === undefined ? '?' : `${t - e.faultAt} ms`);
      if (lost <= MAX_LOST_NOTES)
        notes.push(
          `lost ${r.kind} ${r.tenant.id}/${r.id ?? '?'}: sent ${at(r.sentAt)}, accepted ${at(r.acceptedAt)} after the fault, last status ${e.httpStatus.get(r) ?? 'none'}`,
        );
    }
  }

  const modelRows = e.usage.filter((u) => u.source === 'model');
  const ledgerMicros = e.usage.reduce((sum, u) => sum + u.cost_micros, 0);
  let crashLost = 0;
  let crashLostMicros = 0;
  let abortedDrift = 0;
  let abortedCalls = 0;
  const callKey = (tenantId: string, requestId: string, callId: string) => `${tenantId}/${requestId}/${callId}`;
  // Two ledger rows for one provider call: charged twice.
  const doubleCharged = requestsWith(
    countBy(modelRows, (u) => callKey(u.tenant_id, u.request_id, u.call_id)),
    (n) => n > 1,
  );
  const billMicros = e.bill.reduce((sum, c) => sum + e.price(c), 0);
  const identified = e.bill.map((c) => ({ call: c, id: callIdentity(c) }));
  const anonymous = identified.filter((c) => !c.id).length;
  if (anonymous > 0) notes.push(`${anonymous} provider calls carried no x-llm-call-id: duplicates and crash losses cannot be attributed`);
  // More than one provider call that ran to its end for one request: the request was executed twice.
  const duplicated = requestsWith(
    countBy(
      identified.filter((c) => c.id && !callEndedEarly(c.call.outcome)),
      (c) => `${c.id!.tenantId}/${c.id!.requestId}`,
    ),
    (n) => n > 1,
  );
  // Where a call's charge differs from its bill, name it. A stream the caller cut (cancel) is the one place
  // they may differ: the provider bills the chunks it wrote, the worker can only count the chunks it read
  // before it aborted, so the chunks in flight at that moment are billed and not charged. That difference is
  // reported on its own (abortedDrift) and bounded per aborted call; every other call must match exactly.
  const rowOf = new Map(modelRows.map((u) => [callKey(u.tenant_id, u.request_id, u.call_id), u]));
  for (const { call, id } of identified) {
    const row = id ? rowOf.get(callKey(id.tenantId, id.requestId, id.callId)) : undefined;
    if (!id) continue;
    if (!row) {
      // Billed, never charged: a call the killed worker had made (see workerKilledAt).
      if (e.workerKilledAt !== undefined && call.started_at <= e.workerKilledAt) {
        crashLost++;
        crashLostMicros += e.price(call);
      }
      continue;
    }
    if (row.cost_micros === e.price(call)) continue;
    const cut = row.status === 'cancelled' && /abort/i.test(call.outcome);
    if (cut) {
      abortedDrift += row.cost_micros - e.price(call);
      abortedCalls++;
    }
    notes.push(
      `call ${id.requestId}/${id.callId}: ledger ${row.cost_micros} µ$ (${row.status}, ${row.tokens_in}+${row.tokens_out} tokens) vs bill ${e.price(call)} µ$ (${call.outcome}, ${call.prompt_tokens}+${call.completion_tokens})${cut ? ' — stream cut by its caller' : ''}`,
    );
  }
  const ledgerGap = ledgerMicros - abortedDrift - (billMicros - crashLostMicros);

  const after = e.faultAt;
  const recovered = after === undefined ? [] : accepted.filter((r) => r.sentAt >= after && r.answeredAt !== undefined).map((r) => r.answeredAt!);
  const recoveryMs = recovered.length > 0 && after !== undefined ? Math.min(...recovered) - after : undefined;
  return {
    fault: e.fault,
    accepted: accepted.length,
    refused: e.requests.length - accepted.length,
    completed,
    lost,
    conflicting,
    duplicated,
    doubleCharged,
    crashLost,
    crashLostMicros,
    abortedDrift,
    abortedCalls,
    ledgerMicros,
    billMicros,
    ledgerGap,
    recoveryMs,
    notes,
  };
}

export function table(verdicts: readonly PhaseVerdict[]): string {
  const head = [
    'fault',
    'accepted',
    'completed',
    'lost',
    'conflicting',
    'duplicated',
    'double-charged',
    'crash-lost calls (µ$)',
    'cut-stream drift µ$ (calls)',
    'ledger µ$',
    'bill µ$',
    'ledger gap',
    'recovery',
    'refused',
  ];
  const rows = verdicts.map((v) =>
    [
      v.fault,
      v.accepted,
      v.completed,
      v.lost,
      v.conflicting,
      v.duplicated,
      v.doubleCharged,
      `${v.crashLost} (${v.crashLostMicros})`,
      `${v.abortedDrift} (${v.abortedCalls})`,
      v.ledgerMicros,
      v.billMicros,
      v.ledgerGap,
      v.recoveryMs === undefined ? 'none' : `${(v.recoveryMs / 1000).toFixed(1)} s`,
      v.refused,
    ].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const notes = verdicts.flatMap((v) => v.notes.map((n) => `  ${v.fault}: ${n}`));
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ...(notes.length ? ['notes:', ...notes] : [])].join('\n');
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** How many distinct requests (`tenant/request`, the first two parts of a key) have a count matching `test`. */
function requestsWith(counts: Map<string, number>, test: (n: number, key: string) => boolean): number {
  const requests = new Set<string>();
  for (const [key, n] of counts) if (test(n, key)) requests.add(key.split('/').slice(0, 2).join('/'));
  return requests.size;
}
