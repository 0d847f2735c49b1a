export interface CallTokens {
  tokensIn: number;
  /** Of tokensIn, served from the provider's prompt cache. */
  cachedIn: number;
  tokensOut: number;
}

export interface TokenPrices {
  inPerMtok: number;
  /** Cached prompt price; the input price when the model has none. */
  cachedInPerMtok?: number;
  outPerMtok: number;
}

/**
 * Cost of a call in integer micro-dollars from prices per million tokens (also micro-dollars), cached prompt
 * tokens at the cached price, rounded up once over the whole call so the ledger never under-charges by a
 * rounding error. BigInt: tokens x price can pass 2^53.
 */
export function callCostMicros(tokens: CallTokens, prices: TokenPrices): number {
  const cachedPrice = prices.cachedInPerMtok ?? prices.inPerMtok;
  for (const v of [tokens.tokensIn, tokens.cachedIn, tokens.tokensOut, prices.inPerMtok, cachedPrice, prices.outPerMtok]) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`callCostMicros takes non-negative integers, got ${v}`);
  }
  const cached = Math.min(tokens.cachedIn, tokens.tokensIn);
  const total = BigInt(tokens.tokensIn - cached) * BigInt(prices.inPerMtok) + BigInt(cached) * BigInt(cachedPrice) + BigInt(tokens.tokensOut) * BigInt(prices.outPerMtok);
  const micros = (total + 999_999n) / 1_000_000n;
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('cost overflows a safe integer');
  return Number(micros);
}
