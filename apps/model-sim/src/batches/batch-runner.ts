import { randomUUID } from 'node:crypto';
import type { BatchLineError, BatchStore, SimBatch } from './batch-store';

/** One validated line of a batch input file (OpenAI's request input object). */
export interface BatchRequestLine {
  custom_id: string;
  method: 'POST';
  url: string;
  body: Record<string, unknown>;
}

export interface BatchRunnerOptions {
  /** Where the batch's own chat endpoint answers (this process), and the caller's key to send it. */
  chatUrl: string;
  authorization: string | undefined;
  /** Lines in flight at once. */
  concurrency: number;
  /** Wait before the batch starts running (a provider's queue): lets tests act while it is in progress. */
  startDelayMs: number;
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * Validates an input file like OpenAI does: every line JSON with a unique `custom_id`, `method` POST, `url`
 * equal to the batch's endpoint, a `body` object, and one model for the whole file. Returns the lines or the
 * errors that fail the batch.
 */
export function parseBatchInput(content: string, endpoint: string): { lines: BatchRequestLine[]; errors: BatchLineError[] } {
  const lines: BatchRequestLine[] = [];
  const errors: BatchLineError[] = [];
  const ids = new Set<string>();
  let model: unknown;
  content.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      errors.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line });
      return;
    }
    const o = parsed as Partial<BatchRequestLine> | null;
    if (typeof o !== 'object' || o === null || typeof o.custom_id !== 'string' || o.custom_id === '') {
      errors.push({ code: 'missing_required_parameter', message: 'Missing required parameter: custom_id.', param: 'custom_id', line });
      return;
    }
    if (ids.has(o.custom_id)) {
      errors.push({ code: 'duplicate_custom_id', message: 'The custom_id for this request is a duplicate of another request.', param: 'custom_id', line });
      return;
    }
    ids.add(o.custom_id);
    if (o.method !== 'POST') errors.push({ code: 'invalid_method', message: 'Only POST is supported.', param: 'method', line });
    else if (o.url !== endpoint)
      errors.push({ code: 'invalid_url', message: `The URL provided for this request does not match the batch endpoint ${endpoint}.`, param: 'url', line });
    else if (typeof o.body !== 'object' || o.body === null || Array.isArray(o.body))
      errors.push({ code: 'missing_required_parameter', message: 'Missing required parameter: body.', param: 'body', line });
    else if (model !== undefined && o.body.model !== model)
      errors.push({ code: 'mismatched_model', message: 'The provided model does not match the model of the other requests in this batch.', param: 'body.model', line });
    else {
      model = o.body.model;
      lines.push(o as BatchRequestLine);
    }
  });
  if (lines.length === 0 && errors.length === 0) errors.push({ code: 'empty_file', message: 'The batch input file is empty.', param: null, line: null });
  return { lines, errors };
}

/**
 * Runs a batch in the background through the process's own chat endpoint (same validation, faults, timing and
 * bill as realtime calls; each line's `custom_id` goes as the call id), then writes the output file (2xx answers)
 * and the error file (the rest), like OpenAI: validating → in_progress → finalizing → completed, or cancelled
 * with what finished.
 */
export async function runBatch(store: BatchStore, batch: SimBatch, o: BatchRunnerOptions, signal: AbortSignal): Promise<void> {
  const input = store.file(batch.input_file_id);
  const { lines, errors } = parseBatchInput(input?.content.toString('utf8') ?? '', batch.endpoint);
  if (errors.length > 0) {
    Object.assign(batch, { status: 'failed', failed_at: now(), errors: { object: 'list', data: errors } });
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, o.startDelayMs));
  if (signal.aborted) return;
  if (batch.status === 'cancelling') return finish(store, batch, [], []);
  Object.assign(batch, { status: 'in_progress', in_progress_at: now(), request_counts: { total: lines.length, completed: 0, failed: 0 } });
  const ok: string[] = [];
  const failed: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < lines.length && batch.status === 'in_progress' && !signal.aborted) {
      const line = lines[next++]!;
      const res = await fetch(o.chatUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-llm-call-id': line.custom_id, ...(o.authorization ? { authorization: o.authorization } : {}) },
        body: JSON.stringify(line.body),
        signal,
      }).catch(() => undefined);
      const body: unknown = res ? await res.json().catch(() => ({ error: { message: 'unreadable answer', type: 'server_error' } })) : undefined;
      const out = {
        id: `batch_req_${randomUUID().replace(/-/g, '')}`,
        custom_id: line.custom_id,
        response: res ? { status_code: res.status, request_id: randomUUID(), body } : null,
        error: res ? null : { code: 'server_error', message: 'The request could not be processed.' },
      };
      if (res && res.status >= 200 && res.status < 300) {
        ok.push(JSON.stringify(out));
        batch.request_counts.completed++;
      } else {
        failed.push(JSON.stringify(out));
        batch.request_counts.failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  if (signal.aborted) return;
  finish(store, batch, ok, failed);
}

function finish(store: BatchStore, batch: SimBatch, ok: string[], failed: string[]): void {
  const cancelled = batch.status === 'cancelling';
  Object.assign(batch, { status: 'finalizing', finalizing_at: now() });
  const file = (rows: string[], name: string) => (rows.length === 0 ? null : store.addFile(`${batch.id}_${name}.jsonl`, 'batch_output', Buffer.from(`${rows.join('\n')}\n`)).id);
  Object.assign(batch, {
    output_file_id: file(ok, 'output'),
    error_file_id: file(failed, 'error'),
    status: cancelled ? 'cancelled' : 'completed',
    ...(cancelled ? { cancelled_at: now() } : { completed_at: now() }),
  });
}
