import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '@llm/config';
import { z } from 'zod';

export const ROOT = resolve(__dirname, '../..');

/** Every service of the platform and its port offset from the base port. */
export const SERVICES = {
  'model-sim': 10,
  ingress: 0,
  cache: 1,
  retriever: 2,
  router: 3,
  'inference-worker': 4,
  'cost-ledger': 5,
  evaluator: 6,
} as const;
export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** Extra instances (scaling) listen this far above the first one's port. */
const INSTANCE_PORT_STRIDE = 20;

export interface ServiceProcessesOptions {
  basePort: number;
  /** Logs go here, one file per instance, appended across restarts. */
  stateDir: string;
  env: Record<string, string>;
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}

/**
 * The services as real processes from dist/, one per (service, instance), so tests can start, kill -9, restart
 * and scale them. Used by the e2e global set-up and by the fault tests (on their own ports).
 */
export class ServiceProcesses {
  private readonly children = new Map<string, ChildProcess>();
  /** A log is truncated when its instance first starts and appended to on restarts. */
  private readonly logsOpened = new Set<string>();
  /** How long a service may take to answer /health; a crowded machine (several checkouts testing) needs more. */
  private readonly startTimeoutMs: number;

  constructor(private readonly options: ServiceProcessesOptions) {
    mkdirSync(options.stateDir, { recursive: true });
    this.startTimeoutMs = loadConfig(z.object({ E2E_START_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000) })).E2E_START_TIMEOUT_MS;
  }

  url(app: ServiceName, instance = 0): string {
    return `http://127.0.0.1:${this.port(app, instance)}`;
  }

  pids(): number[] {
    return [...this.children.values()].filter((c) => c.exitCode === null && c.signalCode === null).map((c) => c.pid!);
  }

  async startAll(): Promise<void> {
    for (const app of SERVICE_NAMES) this.spawn(app, 0);
    try {
      await Promise.all(SERVICE_NAMES.map((app) => this.waitHealthy(app, 0)));
    } catch (err) {
      await this.stopAll();
      throw err;
    }
  }

  /** Starts one instance (with settings of its own on top, e.g. a model-sim with other faults) and waits until its /health answers. */
  async start(app: ServiceName, instance = 0, env: Record<string, string> = {}): Promise<void> {
    this.spawn(app, instance, env);
    await this.waitHealthy(app, instance);
  }

  /** kill -9: no shutdown hooks, no commits, in-flight work simply vanishes. */
  async kill(app: ServiceName, instance = 0): Promise<void> {
    const child = this.children.get(key(app, instance));
    if (!child) throw new Error(`${key(app, instance)} is not running`);
    child.kill('SIGKILL');
    await exited(child, 10_000);
    this.children.delete(key(app, instance));
  }

  /** Graceful stop (SIGTERM, the shutdown path), SIGKILL only if it outlives the grace period. */
  async stop(app: ServiceName, instance = 0, graceMs = 20_000): Promise<void> {
    const child = this.children.get(key(app, instance));
    if (!child) return;
    child.kill('SIGTERM');
    if (!(await exited(child, graceMs))) {
      child.kill('SIGKILL');
      await exited(child, 10_000);
    }
    this.children.delete(key(app, instance));
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.children.keys()].map((k) => {
        const [app, instance] = k.split('#') as [ServiceName, string];
        return this.stop(app, Number(instance));
      }),
    );
  }

  private port(app: ServiceName, instance: number): number {
    return this.options.basePort + SERVICES[app] + instance * INSTANCE_PORT_STRIDE;
  }

  private spawn(app: ServiceName, instance: number, instanceEnv: Record<string, string> = {}): void {
    const main = join(ROOT, 'dist/apps', app, 'src/main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
    if (this.children.has(key(app, instance))) throw new Error(`${key(app, instance)} is already running`);
    const logFile = join(this.options.stateDir, `${app}${instance ? `-${instance}` : ''}.log`);
    const log = createWriteStream(logFile, { flags: this.logsOpened.has(logFile) ? 'a' : 'w' });
    this.logsOpened.add(logFile);
    const env = { ...this.options.env, ...this.options.serviceEnv?.[app], ...instanceEnv, HTTP_PORT: String(this.port(app, instance)) };
    const child = spawn(process.execPath, [main], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.children.set(key(app, instance), child);
  }

  private async waitHealthy(app: ServiceName, instance: number): Promise<void> {
    const child = this.children.get(key(app, instance))!;
    const url = this.url(app, instance);
    const deadline = Date.now() + this.startTimeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${app} exited with code ${child.exitCode}; see ${this.options.stateDir}/${app}.log`);
      try {
        if ((await fetch(`${url}/health`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${app} did not become healthy at ${url}/health within ${this.startTimeoutMs / 1000} s (E2E_START_TIMEOUT_MS); see ${this.options.stateDir}/${app}.log`);
  }
}

function key(app: ServiceName, instance: number): string {
  return `${app}#${instance}`;
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Whether a process with this pid still runs (signal 0 only checks). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
