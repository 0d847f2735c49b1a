import type { Catalog } from '@llm/catalog';
import type { ChatRequestBody } from '@llm/contracts';
import { priciestModel } from '../plans/model-access';

export interface WorstCase {
  micros: number;
  tokens: number;
}

/**
 * The most a request can cost (DESIGN.md step 1): its prompt plus every completion token it may ask for, at the
 * priciest model its route may use (a fallback may answer). A request without max_tokens may fill the model's
 * context window, capped by `defaultMaxTokens` so one request does not reserve a whole day's budget.
 */
export function worstCase(
  catalog: Catalog,
  body: Pick<ChatRequestBody, 'model' | 'max_tokens' | 'max_completion_tokens'>,
  promptTokens: number,
  defaultMaxTokens: number,
): WorstCase {
  const model = priciestModel(catalog, body.model);
  if (!model) return { micros: 0, tokens: promptTokens };
  const room = Math.max(0, model.context_window - promptTokens);
  const completion = Math.min(body.max_completion_tokens ?? body.max_tokens ?? defaultMaxTokens, room);
  const micros = Math.ceil((promptTokens * model.price_in_micros_per_mtok + completion * model.price_out_micros_per_mtok) / 1_000_000);
  return { micros, tokens: promptTokens + completion };
}
