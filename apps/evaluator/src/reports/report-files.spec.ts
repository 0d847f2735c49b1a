import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportFiles } from './report-files';

describe('ReportFiles', () => {
  const root = mkdtempSync(join(tmpdir(), 'reports-'));
  mkdirSync(join(root, 'run-1'));
  writeFileSync(join(root, 'run-1', 'index.html'), '<html></html>');
  writeFileSync(join(root, 'run-1', 'notes.txt'), 'x');
  writeFileSync(join(root, 'index.json'), '{}');
  const files = new ReportFiles(root);

  it('serves report files with their content type, a folder as its index.html', () => {
    expect(files.resolve(['index.json']).contentType).toMatch(/application\/json/);
    expect(files.resolve(['run-1']).body.toString()).toBe('<html></html>');
  });

  it('refuses anything outside the folder or of another kind as not found', () => {
    for (const segments of [['..', 'etc', 'passwd'], ['run-1', '..', '..', 'x.html'], ['run-1', 'notes.txt'], ['missing.html'], ['']]) {
      expect(() => files.resolve(segments)).toThrow(expect.objectContaining({ code: 'REPORT_NOT_FOUND' }));
    }
  });
});
