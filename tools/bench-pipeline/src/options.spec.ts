import { parseOptions, parseTopology } from './options';

describe('parseOptions', () => {
  it('runs every level, scenario and topology by default, without the stream Portkey fails on Node 24', () => {
    const o = parseOptions([], {});
    expect(o.rates).toEqual([50, 100, 200, 400, 800, 1200, 1600]);
    expect(o.durationS).toBe(5);
    expect(o.scenarios).toEqual(['open', 'closed', 'scale', 'priority']);
    expect(o.topologies).toEqual([
      { ingress: 1, workers: 1 },
      { ingress: 2, workers: 2 },
    ]);
    expect(o.systems).not.toContain('portkey-stream');
    expect(o.closedConnections).toEqual([1, 16, 64]);
  });

  it('--quick is a short smoke run: few levels, short ones', () => {
    const o = parseOptions(['--quick'], {});
    expect(o.rates.length).toBeLessThanOrEqual(2);
    expect(o.durationS).toBeLessThanOrEqual(2);
  });

  it('takes flags as `--flag value` and `--flag=value`, over the BENCH_* environment', () => {
    const o = parseOptions(['--rates', '10,20', '--duration=3', '--systems=direct,platform-hit', '--out', '/tmp/x.json'], { BENCH_RATES: ['999'], BENCH_DURATION_S: 9 });
    expect(o).toMatchObject({ rates: [10, 20], durationS: 3, systems: ['direct', 'platform-hit'], out: '/tmp/x.json' });
  });

  it('--connections picks the closed-loop levels, and refuses a level that is not a positive integer', () => {
    expect(parseOptions(['--connections', '16,64'], {}).closedConnections).toEqual([16, 64]);
    expect(() => parseOptions(['--connections', '0'], {})).toThrow(/--connections: 0/);
  });

  it('falls back to the environment when no flag is given', () => {
    expect(parseOptions([], { BENCH_RATES: ['5', '7'], BENCH_SCENARIO: ['priority'] })).toMatchObject({ rates: [5, 7], scenarios: ['priority'] });
  });

  it('orders topologies from the smallest (instances are only ever added)', () => {
    expect(parseOptions(['--topology', '2x2,1x1,2x1'], {}).topologies).toEqual([
      { ingress: 1, workers: 1 },
      { ingress: 2, workers: 1 },
      { ingress: 2, workers: 2 },
    ]);
  });

  it('refuses unknown flags, systems, scenarios and bad numbers with a message naming them', () => {
    expect(() => parseOptions(['--rate', '5'], {})).toThrow('unknown flag --rate');
    expect(() => parseOptions(['--systems', 'nginx'], {})).toThrow('nginx is not one of');
    expect(() => parseOptions(['--scenario', 'soak'], {})).toThrow('soak is not one of');
    expect(() => parseOptions(['--rates', '10,abc'], {})).toThrow('abc is not a positive number');
    expect(() => parseOptions(['--duration', '0'], {})).toThrow('--duration');
    expect(() => parseTopology('2')).toThrow('<ingress>x<workers>');
  });
});
