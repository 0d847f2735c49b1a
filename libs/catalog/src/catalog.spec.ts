import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainFor, deploymentsOf, loadCatalog, parseCatalog, watchCatalog } from './catalog';
import { PROVIDER_DIALECTS } from './catalog.schema';

const shipped = loadCatalog(join(__dirname, '../../../infra/catalog/models.json'));

describe('model catalog', () => {
  it('loads the shipped catalog', () => {
    expect(shipped.models.map((m) => m.id)).toContain('sim-small');
  });

  it('resolves a model id, an alias and a route name to a fallback chain', () => {
    expect(chainFor(shipped, 'sim-large')!.models.map((m) => m.id)).toEqual(['sim-large', 'sim-small', 'sim-medium']);
    expect(chainFor(shipped, 'auto')!.models.map((m) => m.id)).toEqual(['sim-small', 'sim-medium', 'sim-large']);
    expect(chainFor(shipped, 'quality')!.route).toBe('quality');
    expect(chainFor(shipped, 'no-such-model')).toBeUndefined();
  });

  it('fills capability defaults and keeps limits, region and batch prices', () => {
    const small = shipped.models.find((m) => m.id === 'sim-small')!;
    expect(small).toMatchObject({ capabilities: { tools: true, logprobs: true, json_schema: true, streaming: true }, region: 'local', price_batch_in_micros_per_mtok: 75_000 });
    expect(small.limits).toEqual(expect.objectContaining({ rpm: expect.any(Number) }));
  });

  it('expands a logical model into all its deployments, in routes and when named directly', () => {
    const twin = { ...shipped.models.find((m) => m.id === 'sim-small')!, id: 'sim-small-eu', model: 'sim-small', region: 'eu' };
    const c = parseCatalog({ ...shipped, models: [...shipped.models, twin] });
    expect(deploymentsOf(c, 'sim-small').map((m) => m.id)).toEqual(['sim-small', 'sim-small-eu']);
    expect(deploymentsOf(c, 'sim-small-eu').map((m) => m.id)).toEqual(['sim-small-eu']);
    expect(chainFor(c, 'auto')!.models.map((m) => m.id)).toEqual(['sim-small', 'sim-small-eu', 'sim-medium', 'sim-large']);
    expect(chainFor(c, 'sim-small')!.models.map((m) => m.id)).toEqual(['sim-small', 'sim-small-eu', 'sim-medium', 'sim-large']);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])('treats %s as an unknown model, not an object member', (name) => {
    expect(chainFor(shipped, name)).toBeUndefined();
  });

  it('rejects a model on an undefined provider, a route to an unknown model, and unknown fields', () => {
    const bad = {
      ...shipped,
      models: [...shipped.models, { ...shipped.models[0], id: 'x', provider: 'nowhere', surprise: true }],
      routes: { default: ['sim-small', 'ghost'] },
    };
    expect(() => parseCatalog(bad)).toThrow(/unknown provider nowhere[\s\S]*unknown model ghost|unknown model ghost[\s\S]*unknown provider nowhere|surprise/);
  });

  it('rejects a model whose provider is an inherited object member', () => {
    const bad = { ...shipped, models: [...shipped.models, { ...shipped.models[0], id: 'x', provider: 'constructor' }] };
    expect(() => parseCatalog(bad)).toThrow(/unknown provider constructor/);
  });

  it('checks provider dialect options: Azure needs its api_version, vLLM options only on vLLM', () => {
    const withProvider = (provider: object) => ({ ...shipped, providers: { ...shipped.providers, extra: { kind: 'openai-compatible', base_url: 'http://h/v1', ...provider } } });
    expect(() => parseCatalog(withProvider({ dialect: 'azure' }))).toThrow(/api_version is required/);
    expect(() => parseCatalog(withProvider({ dialect: 'openai', api_version: '2024-10-21' }))).toThrow(/api_version/);
    expect(() => parseCatalog(withProvider({ dialect: 'groq', priority_scheduling: true }))).toThrow(/vLLM options/);
    expect(() => parseCatalog(withProvider({ dialect: 'mystery' }))).toThrow(/dialect/);
    expect(parseCatalog(withProvider({ dialect: 'azure', api_version: '2024-10-21' })).providers['extra']!.dialect).toBe('azure');
    expect(parseCatalog(withProvider({ priority_scheduling: true, guided_decoding: 'guided_json' })).providers['extra']!.guided_decoding).toBe('guided_json');
  });

  it('loads the example of every provider dialect', () => {
    const example = loadCatalog(join(__dirname, '../../../infra/catalog/examples/provider-dialects.json'));
    expect(new Set(Object.values(example.providers).map((p) => p.dialect))).toEqual(new Set(PROVIDER_DIALECTS));
  });

  it('requires a default route', () => {
    expect(() => parseCatalog({ ...shipped, routes: { quality: ['sim-small'] } })).toThrow(/default/);
  });

  it('reloads a changed file, and keeps the last good catalog when the new one is invalid', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'models.json');
    writeFileSync(path, JSON.stringify(shipped));
    const errors: string[] = [];
    const reloads: string[] = [];
    const file = watchCatalog(path, { onError: (e) => errors.push(e.message), onReload: (v) => reloads.push(v) });
    const first = file.version;

    writeFileSync(path, JSON.stringify({ ...shipped, aliases: { ...shipped.aliases, cheap: 'default' } }));
    expect(file.reload()).toBe(true);
    expect(chainFor(file.current, 'cheap')).toBeDefined();
    expect(reloads).toEqual([file.version]);
    expect(file.version).not.toBe(first);

    writeFileSync(path, JSON.stringify({ ...shipped, routes: { default: ['ghost'] } }));
    expect(file.reload()).toBe(false);
    expect(errors[0]).toMatch(/unknown model ghost/);
    expect(chainFor(file.current, 'cheap')).toBeDefined();

    writeFileSync(path, '{ not json');
    expect(file.reload()).toBe(false);
    expect(errors[1]).toMatch(/cannot read/);
    file.close();
  });

  it('refuses to start on an invalid file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'models.json');
    writeFileSync(path, JSON.stringify({ ...shipped, models: [] }));
    expect(() => watchCatalog(path)).toThrow(/invalid model catalog/);
  });
});
