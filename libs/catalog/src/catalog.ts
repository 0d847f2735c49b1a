import { readFileSync } from 'node:fs';
import { issueLines } from '@llm/config';
import { catalogSchema, type Catalog, type CatalogModel } from './catalog.schema';

export class CatalogError extends Error {
  readonly code = 'CATALOG_INVALID' as const;
}

/** Reads and validates the model catalog at boot; a bad catalog stops the service with every problem listed. */
export function loadCatalog(path: string): Catalog {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CatalogError(`cannot read model catalog ${path}: ${(err as Error).message}`);
  }
  return parseCatalog(raw, path);
}

export function parseCatalog(raw: unknown, source = 'catalog'): Catalog {
  const parsed = catalogSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = issueLines(parsed.error.issues)
      .map((line) => `  - ${line}`)
      .join('\n');
    throw new CatalogError(`invalid model catalog ${source}:\n${issues}`);
  }
  return parsed.data;
}

/**
 * The fallback chain for what a caller asked for: a catalog model id first (then the default route's other
 * models as fallbacks), an alias's route, or undefined when the name is unknown. Caller-chosen names are looked
 * up among own entries only: `constructor` or `__proto__` are unknown models, not Object.prototype members.
 */
export function chainFor(catalog: Catalog, requested: string): { route: string; models: CatalogModel[] } | undefined {
  const byId = new Map(catalog.models.map((m) => [m.id, m]));
  const resolve = (ids: readonly string[]) => ids.map((m) => byId.get(m)!);
  const direct = byId.get(requested);
  if (direct) {
    const rest = ownEntry(catalog.routes, 'default')!.filter((m) => m !== direct.id);
    return { route: `model:${direct.id}`, models: [direct, ...resolve(rest)] };
  }
  const route = ownEntry(catalog.aliases, requested) ?? (ownEntry(catalog.routes, requested) ? requested : undefined);
  const chain = route === undefined ? undefined : ownEntry(catalog.routes, route);
  return route === undefined || !chain ? undefined : { route, models: resolve(chain) };
}

function ownEntry<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
