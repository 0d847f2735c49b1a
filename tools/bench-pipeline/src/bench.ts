import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { attachAddedLatency, summarizeLevel, type LevelResult } from './levels';
import { fixedRateSchedule, scheduleRate, traceSchedule } from './load/schedule';
import { runClosedLoop, runOpenLoop, type RunOutcome } from './load/runners';
import { TargetClient, type TargetSpec } from './load/target';
import { topologyLabel, type BenchEnv, type BenchOptions, type SystemName } from './options';
import { cpuBetween, sampleCpu } from './platform/cpu-meter';
import { ROOT, type BenchSystems } from './platform/systems';
import { highestSustainedRate, sustains } from './report/stats';
import type { BenchReport } from './report/table';
import { runPriorityScenario } from './scenarios/priority';

const HIT_POOL = 16;

/** The shared data folder sits beside the main checkout (../shared) and two levels above a worktree. */
function sharedTrace(kind: string): string {
  const name = `shared/data/azure-llm-trace-2023/AzureLLMInferenceTrace_${kind}.csv`;
  const candidates = [join(ROOT, '..', name), join(ROOT, '../..', name)];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}
const say = (s: string) => process.stdout.write(`[bench] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the phases the options ask for against started systems and returns the report (not yet printed). */
export class PipelineBench {
  private readonly levels: LevelResult[] = [];
  private readonly notes: string[] = [];
  private hitPool: string[] = [];

  constructor(
    private readonly systems: BenchSystems,
    private readonly env: BenchEnv,
    private readonly options: BenchOptions,
  ) {}

  async run(): Promise<BenchReport> {
    const startedAt = new Date().toISOString();
    const o = this.options;
    const [first, ...more] = o.topologies;
    const needsPlatform = o.systems.some((s) => s.startsWith('platform')) || o.scenarios.includes('priority');
    await this.systems.startPlatform(first!, needsPlatform);
    if (o.systems.some((s) => s.startsWith('portkey'))) await this.systems.startPortkey();
    if (o.systems.includes('litellm')) await this.systems.startLitellm();
    for (const [name, why] of Object.entries(this.systems.endpoints.skipped)) this.note(`${name} skipped: ${why}`);
    const active = o.systems.filter((s) => this.target(s) !== undefined);
    say(`systems: ${active.join(', ')}`);
    await this.warmUp(active);

    if (o.scenarios.includes('open')) await this.openLoop(active, '');
    if (o.scenarios.includes('closed')) await this.closedLoop(active.filter((s) => !s.includes('stream')));
    if (o.scenarios.includes('scale') && needsPlatform && !this.systems.external) {
      for (const t of more) {
        await this.systems.scaleTo(t);
        say(`topology ${topologyLabel(t)}: ${this.systems.endpoints.ingressUrls.length} ingress, ${t.workers} inference-worker`);
        await sleep(this.env.KAFKA_SESSION_TIMEOUT_MS / 2); // the worker group's rebalance settles
        await this.warmUp(['platform-miss']);
        await this.openLoop(
          active.filter((s) => s === 'platform-miss' || s === 'platform-hit'),
          `@${topologyLabel(t)}`,
        );
      }
    }
    attachAddedLatency(this.levels);
    const report: BenchReport = {
      startedAt,
      machine: { cpus: cpus().length, node: process.version },
      options: { ...o },
      endpoints: { ...this.systems.endpoints },
      levels: this.levels,
      sustained: this.sustained(),
      notes: this.notes,
    };
    if (o.scenarios.includes('priority')) {
      try {
        report.priority = await this.priority();
      } catch (err) {
        this.note(`priority scenario failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return report;
  }

  private note(s: string): void {
    this.notes.push(s);
    say(s);
  }

  /** The target of a system, or undefined when it is not running here. */
  private target(system: SystemName | string, suffix = ''): TargetSpec | undefined {
    const e = this.systems.endpoints;
    const stream = system.endsWith('-stream');
    const name = `${system}${suffix}`;
    const common = { name, model: 'sim-small', stream };
    switch (system) {
      case 'direct':
      case 'direct-stream':
        return { ...common, origins: [e.simUrl], headers: {} };
      case 'portkey':
      case 'portkey-stream':
        return e.portkeyUrl ? { ...common, origins: [e.portkeyUrl], headers: this.systems.portkeyHeaders() } : undefined;
      case 'litellm':
        return e.litellmUrl ? { ...common, origins: [e.litellmUrl], headers: this.systems.litellmHeaders() } : undefined;
      case 'platform-miss':
      case 'platform-stream':
        if (e.ingressUrls.length === 0) return undefined;
        return { ...common, origins: e.ingressUrls, headers: { authorization: `Bearer ${this.env.DEMO_API_KEY}` } };
      case 'platform-hit':
        if (e.ingressUrls.length === 0) return undefined;
        return { ...common, origins: e.ingressUrls, headers: { authorization: `Bearer ${this.env.DEMO_API_KEY}` }, repeatedPrompts: this.hitPool };
      default:
        return undefined;
    }
  }

  /** A few requests to each system (JIT, connection set-up), and the hit pool sent once so the cache stores it. */
  private async warmUp(systems: readonly string[]): Promise<void> {
    for (const s of systems) {
      const t = this.target(s);
      if (!t || s === 'platform-hit') continue;
      const c = new TargetClient(t, 4, this.env.BENCH_TIMEOUT_MS);
      const r = await runClosedLoop(c, 2, 0.5);
      await c.close();
      const bad = r.samples.filter((x) => !x.ok);
      if (bad.length === r.samples.length) this.note(`${s}: every warm-up request failed (${bad[0]?.errorKind}); its figures will be errors`);
    }
    if (systems.includes('platform-hit') && this.hitPool.length === 0) await this.primeHitPool();
  }

  private async primeHitPool(): Promise<void> {
    this.hitPool = Array.from({ length: HIT_POOL }, (_, i) => `bench repeated prompt ${i} ${process.pid} ${Date.now()}: what is an exact cache?`);
    const c = new TargetClient(this.target('platform-hit')!, 4, this.env.BENCH_TIMEOUT_MS);
    // Each round sends every pool prompt once (the client walks the pool round-robin); the first round stores
    // them, later rounds confirm the cache answers (x-cache: HIT-EXACT) before hits are measured.
    const deadline = Date.now() + 15_000;
    let hits = 0;
    while (hits < HIT_POOL && Date.now() < deadline) {
      const r = await runOpenLoop(c, fixedRateSchedule(50, HIT_POOL / 50));
      hits = r.samples.filter((s) => s.cacheHit).length;
      if (hits < HIT_POOL) await sleep(300);
    }
    if (hits < HIT_POOL) this.note(`hit pool: only ${hits}/${HIT_POOL} repeated prompts answered from cache after priming`);
    await c.close();
    say(`hit pool: ${HIT_POOL} prompts sent with temperature 0, max_tokens 64`);
  }

  private async measure(target: TargetSpec, base: Pick<LevelResult, 'mode' | 'targetRate' | 'connections'>, drive: (c: TargetClient) => Promise<RunOutcome>): Promise<LevelResult> {
    const metered = this.systems.metered();
    const client = new TargetClient(target, this.env.BENCH_CONNECTIONS, this.env.BENCH_TIMEOUT_MS);
    const before = sampleCpu(metered);
    const outcome = await drive(client);
    // Trailing work (usage, write-back, evaluation) belongs to this level: let it land before the second sample.
    await sleep(this.env.BENCH_SETTLE_MS);
    const after = sampleCpu(metered);
    await client.close();
    const level = summarizeLevel({ ...base, system: target.name, durationS: this.options.durationS }, outcome.samples, outcome.spanMs, cpuBetween(before, after));
    this.levels.push(level);
    const lat = level.ttft ?? level.latency;
    const errs = level.sent - level.ok;
    say(
      `${target.name.padEnd(24)} ${base.mode === 'open' ? `${base.targetRate} req/s` : `${base.connections} conns`}: ${level.achievedRate.toFixed(0)} req/s, p50 ${lat.p50.toFixed(1)} p99 ${lat.p99.toFixed(1)} ms, errors ${errs}, cpu ${level.cpuSPer1kTotal.toFixed(2)} s/1k`,
    );
    return level;
  }

  /** The offered rates, or one level replaying the trace's arrival times. */
  private schedules(): { rate: number; schedule: number[] }[] {
    if (!this.options.trace) return this.options.rates.map((rate) => ({ rate, schedule: fixedRateSchedule(rate, this.options.durationS) }));
    const file = ['conv', 'code'].includes(this.options.trace) ? sharedTrace(this.options.trace) : this.options.trace;
    const schedule = traceSchedule(readFileSync(file, 'utf8'), this.env.BENCH_TRACE_SPEEDUP, this.options.durationS);
    this.note(`trace replay: ${file}, ${this.env.BENCH_TRACE_SPEEDUP}x speed, ${schedule.length} arrivals in ${this.options.durationS} s`);
    return [{ rate: Math.round(scheduleRate(schedule, this.options.durationS)), schedule }];
  }

  /** Levels in rising order, every system side by side within a level; a system stops climbing once it fails. */
  private async openLoop(systems: readonly string[], suffix: string): Promise<void> {
    const dropped = new Set<string>();
    for (const { rate, schedule } of this.schedules()) {
      for (const s of systems) {
        if (dropped.has(s)) continue;
        const level = await this.measure(this.target(s, suffix)!, { mode: 'open', targetRate: rate }, (c) => runOpenLoop(c, schedule));
        if (!sustains({ targetRate: rate, achievedRate: level.achievedRate, sent: level.sent, errors: level.sent - level.ok })) dropped.add(s);
      }
      if (systems.every((s) => dropped.has(s) || s.startsWith('direct'))) break;
    }
  }

  private async closedLoop(systems: readonly string[]): Promise<void> {
    for (const connections of this.options.closedConnections)
      for (const s of systems) await this.measure(this.target(s)!, { mode: 'closed', connections }, (c) => runClosedLoop(c, connections, this.options.durationS));
  }

  private sustained(): BenchReport['sustained'] {
    const out: BenchReport['sustained'] = {};
    const open = this.levels.filter((l) => l.mode === 'open');
    for (const system of new Set(open.map((l) => l.system))) {
      if (system.startsWith('direct')) continue;
      const levels = open
        .filter((l) => l.system === system)
        .map((l) => ({ targetRate: l.targetRate!, achievedRate: l.achievedRate, sent: l.sent, errors: l.sent - l.ok, addedP99: l.added?.p99 ?? Number.NaN }));
      out[system] = { under50ms: highestSustainedRate(levels, 50), under100ms: highestSustainedRate(levels, 100) };
    }
    return out;
  }

  private async priority(): Promise<BenchReport['priority']> {
    const quick = this.options.quick;
    say(`priority: paid realtime at ${this.env.BENCH_PAID_RATE} req/s, then a flood of ${quick ? 300 : this.env.BENCH_FLOOD} batch events`);
    const paid = new TargetClient(this.target('platform-miss', '@paid')!, 32, 60_000);
    try {
      const result = await runPriorityScenario(paid, {
        brokers: this.env.KAFKA_BROKERS,
        topicPrefix: this.env.KAFKA_TOPIC_PREFIX,
        freeTenant: this.env.DEMO_FREE_TENANT,
        flood: quick ? 300 : this.env.BENCH_FLOOD,
        paidRate: this.env.BENCH_PAID_RATE,
        unloadedS: quick ? 3 : 10,
        drainTimeoutS: quick ? 60 : 150,
      });
      const unloadedRate = result.unloaded.n / (quick ? 3 : 10);
      if (result.unloaded.p99 > 1000 || result.unloaded.errors > 0)
        this.note(
          `priority: the unloaded platform already queued paid requests at ${unloadedRate.toFixed(0)} req/s (p99 ${result.unloaded.p99.toFixed(0)} ms); lower BENCH_PAID_RATE for a meaningful ratio`,
        );
      return result;
    } finally {
      await paid.close();
    }
  }
}
