import { randomUUID } from 'node:crypto';

/** A file as OpenAI's Files API describes it; the content stays in memory (model-sim keeps nothing on disk). */
export interface SimFile {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: 'batch' | 'batch_output';
  status: 'processed';
  expires_at: null;
  status_details: null;
}

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

export interface BatchLineError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

/** A batch as OpenAI's Batch API returns it (`GET /v1/batches/{id}`). */
export interface SimBatch {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: { object: 'list'; data: BatchLineError[] } | null;
  input_file_id: string;
  completion_window: string;
  status: BatchStatus;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

const now = () => Math.floor(Date.now() / 1000);

/** Files and batches of one model-sim process. */
export class BatchStore {
  private readonly files = new Map<string, { file: SimFile; content: Buffer }>();
  private readonly batches = new Map<string, SimBatch>();

  addFile(filename: string, purpose: SimFile['purpose'], content: Buffer): SimFile {
    const file: SimFile = {
      id: `file-${randomUUID().replace(/-/g, '')}`,
      object: 'file',
      bytes: content.length,
      created_at: now(),
      filename,
      purpose,
      status: 'processed',
      expires_at: null,
      status_details: null,
    };
    this.files.set(file.id, { file, content });
    return file;
  }

  file(id: string): { file: SimFile; content: Buffer } | undefined {
    return this.files.get(id);
  }

  /** Newest first, like `GET /v1/files` (optionally only one purpose). */
  listFiles(purpose?: string): SimFile[] {
    return [...this.files.values()]
      .map((f) => f.file)
      .filter((f) => purpose === undefined || f.purpose === purpose)
      .reverse();
  }

  addBatch(input: Pick<SimBatch, 'endpoint' | 'input_file_id' | 'completion_window' | 'metadata'>): SimBatch {
    const created = now();
    const batch: SimBatch = {
      id: `batch_${randomUUID().replace(/-/g, '')}`,
      object: 'batch',
      ...input,
      errors: null,
      status: 'validating',
      output_file_id: null,
      error_file_id: null,
      created_at: created,
      in_progress_at: null,
      expires_at: created + 24 * 3600,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
    };
    this.batches.set(batch.id, batch);
    return batch;
  }

  batch(id: string): SimBatch | undefined {
    return this.batches.get(id);
  }

  /** Newest first, like `GET /v1/batches`. */
  listBatches(): SimBatch[] {
    return [...this.batches.values()].reverse();
  }
}
