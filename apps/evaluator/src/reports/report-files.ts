import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { EvaluatorError } from '../evaluation/evaluation.errors';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
};

/** Reads report files under the reports folder; anything outside it, or of another kind, is not found. */
export class ReportFiles {
  constructor(private readonly dir: string) {}

  resolve(segments: readonly string[]): { contentType: string; body: Buffer } {
    const root = resolve(this.dir);
    if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\0'))) throw notFound();
    let path = join(root, ...segments);
    if (!path.startsWith(root + sep)) throw notFound();
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
    const type = TYPES[extname(path)];
    if (!type || !existsSync(path)) throw notFound();
    return { contentType: type, body: readFileSync(path) };
  }
}

function notFound(): EvaluatorError {
  return new EvaluatorError('REPORT_NOT_FOUND', 'no such report file');
}
