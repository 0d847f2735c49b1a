import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { MeteredProcess } from './cpu-meter';

export interface LaunchSpec {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** Polled until it answers with any HTTP status below 500. */
  healthUrl: string;
  healthTimeoutMs?: number;
}

/** Every process the bench started, so one call stops them all (end of run, error, Ctrl-C). */
export class Launcher {
  private readonly children = new Map<string, ChildProcess>();

  constructor(private readonly logDir: string) {}

  async start(spec: LaunchSpec): Promise<void> {
    // Something already answering there would pass the health check in place of the process started here.
    if (await answers(spec.healthUrl)) throw new Error(`${spec.name}: ${spec.healthUrl} already answers (port taken; set BENCH_BASE_PORT)`);
    const log = createWriteStream(join(this.logDir, `${spec.name}.log`), { flags: 'w' });
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.children.set(spec.name, child);
    const deadline = Date.now() + (spec.healthTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${spec.name} exited with code ${child.exitCode}; see ${this.logDir}/${spec.name}.log`);
      if (await answers(spec.healthUrl)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${spec.name} did not answer ${spec.healthUrl} in time; see ${this.logDir}/${spec.name}.log`);
  }

  metered(): MeteredProcess[] {
    return [...this.children].filter(([, c]) => c.exitCode === null && c.pid).map(([name, c]) => ({ name, pid: c.pid! }));
  }

  /** SIGTERM (the services' graceful shutdown), SIGKILL for whatever outlives the grace period. */
  async stopAll(graceMs = 15_000): Promise<void> {
    const live = [...this.children.values()].filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of live) c.kill('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (live.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    this.children.clear();
  }

  /** Synchronous last resort for process exit paths that cannot wait. */
  killAllNow(): void {
    for (const c of this.children.values()) if (c.exitCode === null) c.kill('SIGKILL');
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status < 500;
  } catch {
    return false; // not listening (yet)
  }
}
