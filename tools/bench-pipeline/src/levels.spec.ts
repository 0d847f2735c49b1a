import { attachAddedLatency, summarizeLevel, type LevelResult } from './levels';
import type { Sample } from './load/target';

const ok = (latencyMs: number, ttftMs?: number): Sample => ({ ok: true, latencyMs, ...(ttftMs === undefined ? {} : { ttftMs }) });

function level(system: string, samples: Sample[], targetRate = 100): LevelResult {
  return summarizeLevel({ system, mode: 'open', targetRate, durationS: 1 }, samples, 1000, [
    { name: 'kafka', cpuS: 0.5, rssMb: 300 },
    { name: 'portkey', cpuS: 0.25, rssMb: 100 },
    { name: 'bench (load generator)', cpuS: 9, rssMb: 80 },
  ]);
}

describe('summarizeLevel', () => {
  it('counts errors by kind, latency of successes only, cache hits and CPU per 1,000 requests', () => {
    const l = level('platform-hit', [
      ok(10),
      ok(20),
      { ok: false, latencyMs: 5000, errorKind: 'timeout' },
      { ok: false, latencyMs: 1, errorKind: 'http-429' },
      { ok: true, latencyMs: 2, cacheHit: true },
    ]);
    expect(l).toMatchObject({ sent: 5, ok: 3, errors: { timeout: 1, 'http-429': 1 }, cacheHits: 1, achievedRate: 3 });
    expect(l.latency.max).toBe(20);
    expect(l.cpu.find((c) => c.name === 'kafka')).toEqual({ name: 'kafka', cpuS: 0.5, cpuSPer1k: 100, rssMb: 300 });
    // Neither the load generator's own CPU nor a gateway's is charged to the platform.
    expect(l.cpuSPer1kTotal).toBe(100);
  });

  it("charges a gateway with its own process and model-sim's, not the idle platform's", () => {
    const l = summarizeLevel({ system: 'portkey', mode: 'open', targetRate: 100, durationS: 1 }, [ok(1), ok(2), ok(3), ok(4)], 1000, [
      { name: 'kafka', cpuS: 0.5, rssMb: 300 },
      { name: 'portkey', cpuS: 0.2, rssMb: 100 },
      { name: 'model-sim', cpuS: 0.2, rssMb: 100 },
    ]);
    expect(l.cpuSPer1kTotal).toBeCloseTo(100);
  });
});

describe('attachAddedLatency', () => {
  it('compares each system with direct at the same rate, and streams on TTFT with direct-stream', () => {
    const levels = [
      level('direct', [ok(2)]),
      level('direct', [ok(50)], 200),
      level('platform-miss', [ok(12)]),
      level('platform-miss@2x2', [ok(70)], 200),
      level('direct-stream', [ok(9, 1)]),
      level('platform-stream', [ok(40, 6)]),
      level('portkey', [ok(5)], 400),
    ];
    attachAddedLatency(levels);
    expect(levels[2]!.added?.p50).toBe(10);
    expect(levels[3]!.added?.p50).toBe(20);
    expect(levels[5]!.added?.p50).toBe(5);
    expect(levels[6]!.added).toBeUndefined(); // no direct level at 400
    expect(levels[0]!.added).toBeUndefined();
  });
});
