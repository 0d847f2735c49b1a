import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { renderIndexPage, renderRunPage } from './report.html';
import { REPORT_CLIENT_JS, REPORT_CSS } from './report-client';
import { indexEntry, type RunIndexEntry, type RunReport } from './report.model';

/** Run ids become folder names: keep them to a safe alphabet. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Writes a run as `<dir>/<run_id>/{index.html,report.json}`, the shared assets (Chart.js from its npm package,
 * the drawing script, the style sheet) and rebuilds `<dir>/{index.html,index.json}` from every run's
 * report.json, so the index and its trends never disagree with the runs on disk.
 */
export class ReportWriter {
  constructor(readonly dir: string) {}

  write(report: RunReport): { runDir: string; page: string; index: string } {
    if (!RUN_ID.test(report.run_id)) throw new Error(`run id ${report.run_id} is not a safe folder name`);
    const root = resolve(this.dir);
    const runDir = join(root, report.run_id);
    mkdirSync(runDir, { recursive: true });
    this.writeAssets(root);
    writeFileSync(join(runDir, 'report.json'), JSON.stringify(report, null, 2));
    writeFileSync(join(runDir, 'index.html'), renderRunPage(report));
    const index = this.rebuildIndex();
    return { runDir, page: join(runDir, 'index.html'), index };
  }

  rebuildIndex(): string {
    const root = resolve(this.dir);
    mkdirSync(root, { recursive: true });
    this.writeAssets(root);
    const runs: RunIndexEntry[] = [];
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      const file = join(root, entry.name, 'report.json');
      if (!entry.isDirectory() || entry.name === 'assets' || !existsSync(file)) continue;
      try {
        runs.push(indexEntry(JSON.parse(readFileSync(file, 'utf8')) as RunReport));
      } catch {
        // A half-written or foreign file is not a run: leave it out of the index rather than fail every run.
      }
    }
    writeFileSync(join(root, 'index.json'), JSON.stringify({ runs }, null, 2));
    writeFileSync(join(root, 'index.html'), renderIndexPage(runs));
    return join(root, 'index.html');
  }

  private writeAssets(root: string): void {
    const assets = join(root, 'assets');
    mkdirSync(assets, { recursive: true });
    const chartJs = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
    copyFileSync(chartJs, join(assets, 'chart.umd.min.js'));
    writeFileSync(join(assets, 'report.js'), REPORT_CLIENT_JS);
    writeFileSync(join(assets, 'report.css'), REPORT_CSS);
  }
}
