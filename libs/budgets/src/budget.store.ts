import { TenantKeys, type Redis } from '@llm/redis';
import type { Result } from 'ioredis';
import { PERIOD_TTL_S, periodKey, type BudgetPeriod, type BudgetScope } from './budget-periods';
import { PUBLISH, RELEASE, RESERVE, SETTLE, SETTLE_MANY } from './budget.scripts';

/** Who a request is charged to: the tenant always, its user (hashed id) and feature when known. */
export interface BudgetSubject {
  tenantId: string;
  userHash?: string | null;
  feature?: string | null;
}

export interface BudgetState {
  spentMicros: number;
  reservedMicros: number;
  spentTokens: number;
  reservedTokens: number;
  limitMicros: number | null;
  limitTokens: number | null;
}

export interface SettleCall {
  subject: BudgetSubject;
  requestId: string;
  callId: string;
  micros: bigint | number;
  tokens: number;
  at: Date;
}

export type ReserveResult = { ok: true; alreadyReserved: boolean } | { ok: false; exceeded: { scope: BudgetScope; period: BudgetPeriod } };

/** A reservation lives at most this long unless settled or released (a request lost on its way frees it). */
const RESERVATION_TTL_S = 3_600;
const SETTLED_MARKER_TTL_S = 8 * 86_400;
const ORDER: readonly [BudgetScope, BudgetPeriod][] = [
  ['tenant', 'day'],
  ['tenant', 'month'],
  ['user', 'day'],
  ['user', 'month'],
  ['feature', 'day'],
  ['feature', 'month'],
];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    budgetReserve(...args: (string | number)[]): Result<number[], Context>;
    budgetSettle(...args: (string | number)[]): Result<number, Context>;
    budgetSettleMany(...args: (string | number)[]): Result<number, Context>;
    budgetRelease(...args: (string | number)[]): Result<number, Context>;
    budgetPublish(...args: (string | number)[]): Result<number, Context>;
  }
}

/**
 * The live budget state in Redis, shared by ingress (reserve at admission, release on refusal), the ledger
 * (settle on recorded usage, publish what Postgres knows) and the router (read). Keys come from TenantKeys:
 * `t:<tenant>:budget:<scope>:<subject b64url>:<dYYYYMMDD|mYYYYMM>` (hash), `t:<tenant>:budget:res:<request>`
 * (hash: micros, tokens, the states it holds) and `t:<tenant>:budget:settled:<request>:<call>` (marker).
 * Every mutation is one Lua script: atomic, so concurrent reservations never pass a limit together.
 */
export class BudgetStore {
  constructor(private readonly redis: Redis) {
    redis.defineCommand('budgetReserve', { lua: RESERVE });
    redis.defineCommand('budgetSettle', { lua: SETTLE });
    redis.defineCommand('budgetSettleMany', { lua: SETTLE_MANY });
    redis.defineCommand('budgetRelease', { lua: RELEASE });
    redis.defineCommand('budgetPublish', { lua: PUBLISH });
  }

  /** Holds a request's worst-case cost on every budget it is charged to, or refuses when one would pass its limit. */
  async reserve(subject: BudgetSubject, requestId: string, worstCase: { micros: number; tokens: number }, at = new Date()): Promise<ReserveResult> {
    const keys = this.stateKeys(subject, at);
    const k = new TenantKeys(subject.tenantId);
    const [code, index] = await this.redis.budgetReserve(
      keys.length + 1,
      ...keys.map((s) => s.key),
      k.budgetReservation(requestId),
      worstCase.micros,
      worstCase.tokens,
      PERIOD_TTL_S.day,
      PERIOD_TTL_S.month,
      RESERVATION_TTL_S,
    );
    if (code === 0) {
      const s = keys[index! - 1]!;
      return { ok: false, exceeded: { scope: s.scope, period: s.period } };
    }
    return { ok: true, alreadyReserved: code === 2 };
  }

  /**
   * Charges one provider call's actual cost and releases what its request reserved (the difference goes back).
   * Idempotent per (request, call): a second settle of the same call changes nothing and returns false.
   */
  async settle(subject: BudgetSubject, requestId: string, callId: string, actual: { micros: bigint | number; tokens: number }, at: Date): Promise<boolean> {
    const keys = this.stateKeys(subject, at).map((s) => s.key);
    const k = new TenantKeys(subject.tenantId);
    const r = await this.redis.budgetSettle(
      keys.length + 2,
      ...keys,
      k.budgetReservation(requestId),
      k.budgetSettled(requestId, callId),
      actual.micros.toString(),
      actual.tokens,
      PERIOD_TTL_S.day,
      PERIOD_TTL_S.month,
      SETTLED_MARKER_TTL_S,
    );
    return r === 1;
  }

  /** settle() for many calls, one atomic script per chunk; returns how many were settled now (the others were before). */
  async settleMany(calls: readonly SettleCall[], chunk = 1_000): Promise<number> {
    let settled = 0;
    for (let i = 0; i < calls.length; i += chunk) {
      const part = calls.slice(i, i + chunk);
      const stateIndex = new Map<string, number>();
      const stateArgs: number[] = [];
      const callKeys: string[] = [];
      const callArgs: string[] = [];
      // Calls of one subject on one day share their state keys: built once per chunk (the ledger settles
      // thousands of calls per batch, most of them of a few busy subjects).
      const indexesOf = new Map<string, string>();
      for (const c of part) {
        const day = Math.floor(c.at.getTime() / 86_400_000);
        const subjectDay = `${c.subject.tenantId}\u0000${c.subject.userHash ?? '\u0001'}\u0000${c.subject.feature ?? '\u0001'}\u0000${day}`;
        let idx = indexesOf.get(subjectDay);
        if (idx === undefined) {
          const ns: number[] = [];
          for (const s of this.stateKeys(c.subject, c.at)) {
            let n = stateIndex.get(s.key);
            if (n === undefined) {
              n = stateIndex.size + 1;
              stateIndex.set(s.key, n);
              stateArgs.push(s.scope === 'tenant' ? 1 : 0, s.period === 'month' ? 1 : 0);
            }
            ns.push(n);
          }
          idx = ns.join(',');
          indexesOf.set(subjectDay, idx);
        }
        const k = new TenantKeys(c.subject.tenantId);
        callKeys.push(k.budgetReservation(c.requestId), k.budgetSettled(c.requestId, c.callId));
        callArgs.push(c.micros.toString(), String(c.tokens), idx);
      }
      const keys = [...stateIndex.keys(), ...callKeys];
      settled += await this.redis.budgetSettleMany(
        keys.length,
        ...keys,
        stateIndex.size,
        part.length,
        PERIOD_TTL_S.day,
        PERIOD_TTL_S.month,
        SETTLED_MARKER_TTL_S,
        ...stateArgs,
        ...callArgs,
      );
    }
    return settled;
  }

  /** Gives a reservation back without charging (the request was refused or cancelled before any call). */
  async release(tenantId: string, requestId: string): Promise<boolean> {
    return (await this.redis.budgetRelease(1, new TenantKeys(tenantId).budgetReservation(requestId))) === 1;
  }

  /** Sets spent (from Postgres) and limits of one state; reservations in flight are kept. */
  async publish(
    tenantId: string,
    scope: BudgetScope,
    subject: string,
    period: BudgetPeriod,
    at: Date,
    state: { spentMicros: bigint; spentTokens: bigint; limitMicros: bigint | null; limitTokens: bigint | null },
  ): Promise<void> {
    await this.redis.budgetPublish(
      1,
      new TenantKeys(tenantId).budgetState(scope, subject, periodKey(period, at)),
      state.spentMicros.toString(),
      state.spentTokens.toString(),
      state.limitMicros?.toString() ?? '',
      state.limitTokens?.toString() ?? '',
      PERIOD_TTL_S[period],
    );
  }

  async read(tenantId: string, scope: BudgetScope, subject: string, period: BudgetPeriod, at = new Date()): Promise<BudgetState> {
    const h = await this.redis.hgetall(new TenantKeys(tenantId).budgetState(scope, subject, periodKey(period, at)));
    const n = (v: string | undefined) => (v === undefined ? 0 : Number(v));
    return {
      spentMicros: n(h.spent_micros),
      reservedMicros: n(h.reserved_micros),
      spentTokens: n(h.spent_tokens),
      reservedTokens: n(h.reserved_tokens),
      limitMicros: h.limit_micros === undefined ? null : Number(h.limit_micros),
      limitTokens: h.limit_tokens === undefined ? null : Number(h.limit_tokens),
    };
  }

  private stateKeys(subject: BudgetSubject, at: Date): { scope: BudgetScope; period: BudgetPeriod; key: string }[] {
    const k = new TenantKeys(subject.tenantId);
    const out: { scope: BudgetScope; period: BudgetPeriod; key: string }[] = [];
    for (const [scope, period] of ORDER) {
      const name = scope === 'tenant' ? '' : scope === 'user' ? subject.userHash : subject.feature;
      if (name === undefined || name === null) continue;
      out.push({ scope, period, key: k.budgetState(scope, name, periodKey(period, at)) });
    }
    return out;
  }
}
