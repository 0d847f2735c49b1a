import { parseCatalog } from '@llm/catalog';
import { readFileSync } from 'node:fs';
import { worstCase } from './worst-case';

const catalog = parseCatalog(JSON.parse(readFileSync('infra/catalog/models.json', 'utf8')));
const large = catalog.models.find((m) => m.id === 'sim-large')!;

describe('worstCase', () => {
  it('prices prompt + max_tokens at the priciest model the route may fall back to, rounding up', () => {
    const w = worstCase(catalog, { model: 'sim-small', max_tokens: 100 }, 20, 4096);
    expect(w.tokens).toBe(120);
    expect(w.micros).toBe(Math.ceil((20 * large.price_in_micros_per_mtok + 100 * large.price_out_micros_per_mtok) / 1e6));
  });

  it('caps an unbounded completion by the default and the context window', () => {
    expect(worstCase(catalog, { model: 'auto' }, 10, 50).tokens).toBe(60);
    expect(worstCase(catalog, { model: 'auto', max_tokens: 10_000_000 }, 10, 50).tokens).toBe(large.context_window);
  });
});
