import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inheritedEnvironment } from '@llm/config';
import type { BenchEnv, Topology } from '../options';
import type { MeteredProcess } from './cpu-meter';
import { Launcher } from './launcher';

export const ROOT = resolve(__dirname, '../../../../..');
const SERVICE_OFFSETS = { ingress: 0, cache: 1, retriever: 2, router: 3, 'inference-worker': 4, 'cost-ledger': 5, evaluator: 6 } as const;
type Service = keyof typeof SERVICE_OFFSETS;
const START_ORDER: Service[] = ['cost-ledger', 'evaluator', 'inference-worker', 'router', 'retriever', 'cache', 'ingress'];
/** Extra instances of a service listen this far above the first one. */
const INSTANCE_STRIDE = 20;
const SIM_OFFSET = 10;
const PORTKEY_OFFSET = 11;
const LITELLM_OFFSET = 12;
export const PORTKEY_VERSION = '1.15.2';
export const LITELLM_VERSION = '1.100.0';
const LITELLM_KEY = 'sk-bench-litellm-master';

/** Where each system answers, and who is running. */
export interface Endpoints {
  simUrl: string;
  ingressUrls: string[];
  portkeyUrl?: string;
  litellmUrl?: string;
  /** Why a gateway is absent (not installed, failed to start). */
  skipped: Record<string, string>;
}

/**
 * The systems under test: model-sim, the platform's services from dist/ (or a running platform), and the two
 * gateways in front of the same model-sim. Owns every process it starts.
 */
export class BenchSystems {
  readonly launcher: Launcher;
  readonly endpoints: Endpoints = { simUrl: '', ingressUrls: [], skipped: {} };
  private readonly running = { ingress: 0, workers: 0 };

  constructor(
    private readonly env: BenchEnv,
    private readonly logDir: string,
  ) {
    this.launcher = new Launcher(logDir);
  }

  get external(): boolean {
    return this.env.INGRESS_URL !== undefined;
  }

  private url(offset: number): string {
    return `http://127.0.0.1:${this.env.BENCH_BASE_PORT + offset}`;
  }

  private serviceEnv(): Record<string, string | undefined> {
    return {
      ...inheritedEnvironment(),
      LOG_LEVEL: this.env.BENCH_LOG_LEVEL,
      KAFKA_BROKERS: this.env.KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: this.env.KAFKA_TOPIC_PREFIX,
      REDIS_URL: this.env.REDIS_URL,
      DATABASE_URL: this.env.DATABASE_URL,
      SIM_BASE_URL: `${this.endpoints.simUrl}/v1`,
      MODEL_CATALOG_PATH: join(ROOT, 'infra/catalog/models.json'),
    };
  }

  /** model-sim answering at once (no TTFT, no inter-token delay, a batch far above any load here). */
  /** Without `services`, model-sim alone (a run of direct and the gateways only). */
  async startPlatform(topology: Topology, services = true): Promise<void> {
    if (this.external) {
      this.endpoints.simUrl = this.env.SIM_URL;
      this.endpoints.ingressUrls = [this.env.INGRESS_URL!];
      return;
    }
    this.endpoints.simUrl = this.url(SIM_OFFSET);
    await this.launcher.start({
      name: 'model-sim',
      command: process.execPath,
      args: [join(ROOT, 'dist/apps/model-sim/src/main.js')],
      cwd: ROOT,
      env: { ...this.serviceEnv(), HTTP_PORT: String(this.env.BENCH_BASE_PORT + SIM_OFFSET), SIM_TTFT_MS: '0', SIM_ITL_MS: '0', SIM_MAX_BATCH: '1000', SIM_MAX_QUEUE: '100000' },
      healthUrl: `${this.url(SIM_OFFSET)}/health`,
    });
    if (!services) return;
    for (const service of START_ORDER) await this.startService(service, 0);
    this.running.ingress = 1;
    this.running.workers = 1;
    this.endpoints.ingressUrls = [this.url(0)];
    await this.scaleTo(topology);
  }

  /** Adds ingress and inference-worker instances up to the topology (never removes: topologies run in growing order). */
  async scaleTo(topology: Topology): Promise<void> {
    if (this.external) return;
    while (this.running.workers < topology.workers) await this.startService('inference-worker', this.running.workers++);
    while (this.running.ingress < topology.ingress) {
      await this.startService('ingress', this.running.ingress);
      this.endpoints.ingressUrls.push(this.url(this.running.ingress * INSTANCE_STRIDE));
      this.running.ingress++;
    }
  }

  private async startService(service: Service, instance: number): Promise<void> {
    const port = this.env.BENCH_BASE_PORT + SERVICE_OFFSETS[service] + instance * INSTANCE_STRIDE;
    const main = join(ROOT, 'dist/apps', service, 'src/main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
    await this.launcher.start({
      name: instance ? `${service}-${instance}` : service,
      command: process.execPath,
      args: [...(this.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []), main],
      cwd: ROOT,
      env: { ...this.serviceEnv(), HTTP_PORT: String(port) },
      healthUrl: `http://127.0.0.1:${port}/health`,
    });
  }

  async startPortkey(): Promise<void> {
    const dir = join(this.env.BENCH_CACHE_DIR, `portkey-${PORTKEY_VERSION}`);
    if (!existsSync(join(dir, '.complete'))) {
      this.endpoints.skipped.portkey = `not installed (${dir}; infra/scripts/install-bench-gateways.sh)`;
      return;
    }
    const port = this.env.BENCH_BASE_PORT + PORTKEY_OFFSET;
    try {
      await this.launcher.start({
        name: 'portkey',
        command: process.execPath,
        args: [join(dir, 'node_modules/@portkey-ai/gateway/build/start-server.js'), `--port=${port}`, '--headless'],
        cwd: dir,
        env: { PATH: inheritedEnvironment().PATH, NODE_ENV: 'production' },
        healthUrl: `http://127.0.0.1:${port}/`,
      });
      this.endpoints.portkeyUrl = `http://127.0.0.1:${port}`;
    } catch (err) {
      this.endpoints.skipped.portkey = err instanceof Error ? err.message : String(err);
    }
  }

  async startLitellm(): Promise<void> {
    const dir = join(this.env.BENCH_CACHE_DIR, `litellm-${LITELLM_VERSION}`);
    if (!existsSync(join(dir, '.complete'))) {
      this.endpoints.skipped.litellm = `not installed (${dir}; infra/scripts/install-bench-gateways.sh)`;
      return;
    }
    const port = this.env.BENCH_BASE_PORT + LITELLM_OFFSET;
    const config = join(this.logDir, 'litellm.config.yaml');
    writeFileSync(
      config,
      [
        'model_list:',
        '  - model_name: sim-small',
        '    litellm_params:',
        '      model: openai/sim-small',
        `      api_base: ${this.endpoints.simUrl}/v1`,
        '      api_key: sk-sim',
        'litellm_settings:',
        '  telemetry: false',
        '',
      ].join('\n'),
    );
    try {
      await this.launcher.start({
        name: 'litellm',
        command: join(dir, 'venv/bin/litellm'),
        args: ['--config', config, '--host', '127.0.0.1', '--port', String(port), '--num_workers', '1'],
        cwd: dir,
        env: { PATH: inheritedEnvironment().PATH, HOME: inheritedEnvironment().HOME, LITELLM_MASTER_KEY: LITELLM_KEY, LITELLM_LOCAL_MODEL_COST_MAP: 'True', LITELLM_LOG: 'ERROR' },
        healthUrl: `http://127.0.0.1:${port}/health/liveliness`,
        healthTimeoutMs: 180_000,
      });
      this.endpoints.litellmUrl = `http://127.0.0.1:${port}`;
    } catch (err) {
      this.endpoints.skipped.litellm = err instanceof Error ? err.message : String(err);
    }
  }

  litellmHeaders(): Record<string, string> {
    return { authorization: `Bearer ${LITELLM_KEY}` };
  }

  portkeyHeaders(): Record<string, string> {
    return { authorization: 'Bearer sk-sim', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${this.endpoints.simUrl}/v1` };
  }

  /** The processes whose CPU a level is charged with: what the bench started, plus the infrastructure. */
  metered(): MeteredProcess[] {
    const out = [...this.launcher.metered(), ...this.infraProcesses()];
    if (this.external && this.env.INFRA_STATE_DIR) {
      // `make up` records its services' pids here (platform-up.sh).
      const run = join(this.env.INFRA_STATE_DIR, 'run');
      if (existsSync(run)) for (const f of readdirSync(run).filter((n) => n.endsWith('.pid'))) pushPid(out, f.replace(/\.pid$/, ''), join(run, f));
    }
    out.push({ name: 'bench (load generator)', pid: process.pid, alone: true });
    return out;
  }

  private infraProcesses(): MeteredProcess[] {
    const out: MeteredProcess[] = [];
    const state = this.env.INFRA_STATE_DIR;
    if (!state) return out;
    pushPid(out, 'kafka', join(state, 'kafka/kafka.pid'));
    pushPid(out, 'redis', join(state, 'redis/redis.pid'));
    // lib.sh pg_state_root: postgres lives under /var/tmp, one folder per state folder.
    const pgRoot = `/var/tmp/llm-platform-${createHash('sha256').update(state).digest('hex').slice(0, 12)}`;
    pushPid(out, 'postgres', join(pgRoot, 'postgres/data/postmaster.pid'));
    return out;
  }

  async stop(): Promise<void> {
    await this.launcher.stopAll();
  }
}

function pushPid(out: MeteredProcess[], name: string, file: string): void {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]!.trim());
    if (pid > 0) out.push({ name, pid });
  } catch {
    // not running here
  }
}
