/**
 * Cost of a call in integer micro-dollars from prices per million tokens (also micro-dollars), rounded up so
 * the ledger never under-charges by a rounding error. BigInt: tokens x price can pass 2^53.
 */
export function costMicros(tokensIn: number, tokensOut: number, priceInPerMtok: number, priceOutPerMtok: number): number {
  for (const v of [tokensIn, tokensOut, priceInPerMtok, priceOutPerMtok]) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`costMicros takes non-negative integers, got ${v}`);
  }
  const total = BigInt(tokensIn) * BigInt(priceInPerMtok) + BigInt(tokensOut) * BigInt(priceOutPerMtok);
  const micros = (total + 999_999n) / 1_000_000n;
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('cost overflows a safe integer');
  return Number(micros);
}
