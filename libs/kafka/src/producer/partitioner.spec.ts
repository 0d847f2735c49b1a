import { Topics, TOPIC_SPECS } from '@llm/contracts';
import { fnv1a32, partitionFor } from './partitioner';

describe('partitionFor', () => {
  const banded = TOPIC_SPECS[Topics.requests];

  it('puts each priority in its band of four partitions', () => {
    for (const tenant of ['acme', 'globex', 'initech', 'umbrella', 'hooli']) {
      expect(partitionFor(banded, tenant, 'realtime-paid')).toBeGreaterThanOrEqual(0);
      expect(partitionFor(banded, tenant, 'realtime-paid')).toBeLessThan(4);
      expect(Math.floor(partitionFor(banded, tenant, 'realtime-free') / 4)).toBe(1);
      expect(Math.floor(partitionFor(banded, tenant, 'batch') / 4)).toBe(2);
    }
  });

  it('keeps a tenant on one partition per band and spreads tenants over the band', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const tenant = `tenant-${i}`;
      const p = partitionFor(banded, tenant, 'batch');
      expect(partitionFor(banded, tenant, 'batch')).toBe(p);
      seen.add(p);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([8, 9, 10, 11]);
  });

  it('hashes unbanded keys over all partitions', () => {
    const spec = TOPIC_SPECS[Topics.results];
    const seen = new Set(Array.from({ length: 300 }, (_, i) => partitionFor(spec, `req-${i}`)));
    expect(seen.size).toBe(6);
  });

  it('is a stable hash', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
  });
});
