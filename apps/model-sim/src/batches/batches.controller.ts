import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UploadedFile, UseFilters, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import type { ModelSimConfig } from '../config/model-sim.config';
import { DialectErrorFilter } from '../simulation/dialects/dialect-error.filter';
import { checkAuth } from '../simulation/dialects/dialect-request';
import { SIM_DIALECTS } from '../simulation/dialects/sim-dialects';
import { SimulationError } from '../simulation/simulation.errors';
import { SIM_CONFIG } from '../simulation/simulation.tokens';
import { runBatch } from './batch-runner';
import { BatchStore, type SimBatch } from './batch-store';

const BASE = 'openai/v1';
const ENDPOINTS = ['/v1/chat/completions'];

/** What multer hands over for an uploaded part (memory storage). */
interface UploadedPart {
  originalname: string;
  buffer: Buffer;
}

/**
 * OpenAI's Files and Batch APIs under the openai dialect's prefix, enough for the `openai` SDK's
 * `files.create/list/retrieve/content` and `batches.create/retrieve/list/cancel`: a JSONL file of chat requests runs in
 * the background through model-sim's own chat endpoint and its answers come back as an output file.
 */
@Controller(BASE)
@UseFilters(DialectErrorFilter)
export class BatchesController {
  private readonly store = new BatchStore();
  private readonly running = new AbortController();

  constructor(@Inject(SIM_CONFIG) private readonly config: ModelSimConfig) {}

  onModuleDestroy(): void {
    this.running.abort();
  }

  @Post('files')
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: 200 * 1024 * 1024 } }))
  upload(@Req() req: Request, @UploadedFile() file: UploadedPart | undefined, @Body() body: Record<string, unknown>) {
    this.auth(req);
    if (!file) throw SimulationError.invalid("Missing required parameter: 'file'.", 'file');
    if (body['purpose'] !== 'batch') throw SimulationError.invalid(`Invalid value for 'purpose': model-sim accepts 'batch'.`, 'purpose');
    return this.store.addFile(file.originalname || 'upload.jsonl', 'batch', file.buffer);
  }

  @Get('files')
  files(@Req() req: Request, @Query('purpose') purpose: string | undefined) {
    this.auth(req);
    const data = this.store.listFiles(purpose);
    return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false };
  }

  @Get('files/:id')
  fileInfo(@Req() req: Request, @Param('id') id: string) {
    this.auth(req);
    return this.fileOf(id).file;
  }

  @Get('files/:id/content')
  fileContent(@Req() req: Request, @Param('id') id: string, @Res() res: Response): void {
    this.auth(req);
    const { content } = this.fileOf(id);
    res.status(200).setHeader('Content-Type', 'application/octet-stream');
    res.end(content);
  }

  @Post('batches')
  @HttpCode(200)
  async create(@Req() req: Request, @Body() body: Record<string, unknown>): Promise<SimBatch> {
    this.auth(req);
    // Read from the connection now: after the delay the client may be gone, and its socket with it.
    const chatUrl = `http://127.0.0.1:${req.socket.localPort}/${SIM_DIALECTS.openai.chatPath}`;
    const authorization = req.headers.authorization;
    if (this.config.SIM_BATCH_CREATE_DELAY_MS > 0) await new Promise((resolve) => setTimeout(resolve, this.config.SIM_BATCH_CREATE_DELAY_MS));
    const inputFileId = body['input_file_id'];
    if (typeof inputFileId !== 'string') throw SimulationError.invalid("Missing required parameter: 'input_file_id'.", 'input_file_id');
    if (typeof body['endpoint'] !== 'string' || !ENDPOINTS.includes(body['endpoint']))
      throw SimulationError.invalid(`Invalid value for 'endpoint': model-sim supports ${ENDPOINTS.join(', ')}.`, 'endpoint');
    if (body['completion_window'] !== '24h') throw SimulationError.invalid("Invalid value for 'completion_window': expected '24h'.", 'completion_window');
    const input = this.store.file(inputFileId);
    if (!input) throw new SimulationError('RESOURCE_NOT_FOUND', `No such File object: ${inputFileId.slice(0, 100)}`);
    if (input.file.purpose !== 'batch') throw SimulationError.invalid(`File ${inputFileId} was not uploaded with purpose 'batch'.`, 'input_file_id');
    const metadata = body['metadata'];
    const batch = this.store.addBatch({
      endpoint: body['endpoint'],
      input_file_id: inputFileId,
      completion_window: '24h',
      metadata: typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, string>) : null,
    });
    const snapshot = { ...batch, request_counts: { ...batch.request_counts } };
    void runBatch(
      this.store,
      batch,
      {
        chatUrl,
        authorization,
        concurrency: this.config.SIM_BATCH_CONCURRENCY,
        startDelayMs: this.config.SIM_BATCH_START_DELAY_MS,
      },
      this.running.signal,
    );
    return snapshot;
  }

  @Get('batches')
  list(@Req() req: Request) {
    this.auth(req);
    const data = this.store.listBatches();
    return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false };
  }

  @Get('batches/:id')
  retrieve(@Req() req: Request, @Param('id') id: string): SimBatch {
    this.auth(req);
    return this.batchOf(id);
  }

  @Post('batches/:id/cancel')
  @HttpCode(200)
  cancel(@Req() req: Request, @Param('id') id: string): SimBatch {
    this.auth(req);
    const batch = this.batchOf(id);
    if (batch.status === 'validating' || batch.status === 'in_progress') Object.assign(batch, { status: 'cancelling', cancelling_at: Math.floor(Date.now() / 1000) });
    return batch;
  }

  private auth(req: Request): void {
    checkAuth(SIM_DIALECTS.openai, req.headers, this.config.SIM_API_KEY);
  }

  private fileOf(id: string) {
    const f = this.store.file(id);
    if (!f) throw new SimulationError('RESOURCE_NOT_FOUND', `No such File object: ${id.slice(0, 100)}`);
    return f;
  }

  private batchOf(id: string): SimBatch {
    const b = this.store.batch(id);
    if (!b) throw new SimulationError('RESOURCE_NOT_FOUND', `No batch found with id '${id.slice(0, 100)}'.`);
    return b;
  }
}
