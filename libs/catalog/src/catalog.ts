import { readFileSync } from 'node:fs';
import { issueLines } from '@llm/config';
import { catalogSchema, type Catalog, type CatalogModel } from './catalog.schema';
import { WatchedFile, type WatchedFileHooks } from './watched-file';

export class CatalogError extends Error {
  readonly code = 'CATALOG_INVALID' as const;
}

/** The catalog file, re-read on change: a bad edit keeps the last good catalog (see WatchedFile). */
export function watchCatalog(path: string, hooks: WatchedFileHooks = {}): WatchedFile<Catalog> {
  try {
    return new WatchedFile(path, parseCatalog, hooks);
  } catch (err) {
    throw err instanceof CatalogError ? err : new CatalogError(`cannot read model catalog ${path}: ${(err as Error).message}`);
  }
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
  const resolve = (ids: readonly string[]) => [...new Set(ids.flatMap((m) => deploymentsOf(catalog, m)))];
  const direct = deploymentsOf(catalog, requested);
  if (direct.length > 0) {
    const names = new Set([requested, ...direct.map(logicalModel)]);
    const rest = ownEntry(catalog.routes, 'default')!.filter((m) => !names.has(m) && !direct.includes(byId.get(m)!));
    return { route: `model:${requested}`, models: [...direct, ...resolve(rest).filter((m) => !direct.includes(m))] };
  }
  const route = ownEntry(catalog.aliases, requested) ?? (ownEntry(catalog.routes, requested) ? requested : undefined);
  const chain = route === undefined ? undefined : ownEntry(catalog.routes, route);
  return route === undefined || !chain ? undefined : { route, models: resolve(chain) };
}

/** The logical model a deployment serves. */
export function logicalModel(m: CatalogModel): string {
  return m.model ?? m.id;
}

/**
 * The deployments a name stands for: every deployment of a logical model (catalog order), or the one deployment
 * with that id; empty when the name is neither.
 */
export function deploymentsOf(catalog: Catalog, name: string): CatalogModel[] {
  const ofModel = catalog.models.filter((m) => logicalModel(m) === name);
  if (ofModel.length > 0) return ofModel;
  const one = catalog.models.find((m) => m.id === name);
  return one ? [one] : [];
}

function ownEntry<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
