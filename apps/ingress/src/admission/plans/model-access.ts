import { chainFor, type Catalog, type CatalogModel } from '@llm/catalog';
import type { Plan } from './plan.schema';

export type ModelAccess = { allowed: true } | { allowed: false; reason: 'unknown' | 'not-in-plan' };

/** What a plan lets a caller name, narrowed by its API key's restriction when it has one (EffectivePlan.key_access). */
export type Access = Pick<Plan, 'model_tiers' | 'models'> & { key_access?: KeyAccess };
export interface KeyAccess {
  model_tiers: ReadonlyArray<'small' | 'medium' | 'large'>;
  models: readonly string[];
}

const names = (rule: { model_tiers: readonly string[]; models: readonly string[] }, model: CatalogModel): boolean =>
  rule.model_tiers.includes(model.tier) || rule.models.includes(model.id);
const mayUse = (plan: Access, model: CatalogModel): boolean => names(plan, model) && (plan.key_access === undefined || names(plan.key_access, model));

/**
 * Whether a plan may name a model. A catalog model is judged by itself; a route or alias by the model it leads
 * with (the one that answers unless it fails), so `auto` stays open to a free plan whose default route starts
 * with a small model while `best` (a large model first) does not.
 */
export function modelAccess(catalog: Catalog, plan: Access, requested: string): ModelAccess {
  const chain = chainFor(catalog, requested);
  if (!chain) return { allowed: false, reason: 'unknown' };
  return mayUse(plan, chain.models[0]!) ? { allowed: true } : { allowed: false, reason: 'not-in-plan' };
}

/** Every name the plan may send as `model`: catalog models, then route names and aliases, sorted. */
export function allowedModelNames(catalog: Catalog, plan: Access): string[] {
  const names = [...catalog.models.map((m) => m.id), ...Object.keys(catalog.routes), ...Object.keys(catalog.aliases)];
  return [...new Set(names)].filter((name) => modelAccess(catalog, plan, name).allowed).sort();
}

/** The worst-case price of a request: the priciest model its route may use (for budget reservations). */
export function priciestModel(catalog: Catalog, requested: string): CatalogModel | undefined {
  const chain = chainFor(catalog, requested);
  return chain?.models.reduce((a, b) => (b.price_in_micros_per_mtok + b.price_out_micros_per_mtok > a.price_in_micros_per_mtok + a.price_out_micros_per_mtok ? b : a));
}

/**
 * The tiers a plan's requests may be routed to: its tiers, plus those of the models it names beyond them; with a
 * key restriction, only the tiers of models both allow.
 */
export function allowedTiers(catalog: Catalog, plan: Access): Array<'small' | 'medium' | 'large'> {
  const tiersOf = (rule: { model_tiers: readonly ('small' | 'medium' | 'large')[]; models: readonly string[] }) => {
    const tiers = new Set(rule.model_tiers);
    for (const name of rule.models) for (const m of catalog.models) if (m.id === name || m.model === name) tiers.add(m.tier);
    return tiers;
  };
  const tiers = tiersOf(plan);
  const keyTiers = plan.key_access ? tiersOf(plan.key_access) : undefined;
  return (['small', 'medium', 'large'] as const).filter((t) => tiers.has(t) && (keyTiers === undefined || keyTiers.has(t)));
}
