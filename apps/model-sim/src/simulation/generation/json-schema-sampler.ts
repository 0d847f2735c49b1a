/**
 * Builds a value that validates against a JSON Schema, the way guided decoding makes a real server's output
 * fit one. Deterministic for a given random source. Covers what structured-output schemas use in practice
 * (types and unions, enum/const, objects with required/additionalProperties, arrays and tuples with length
 * bounds, numeric and string bounds, common formats, $ref into $defs/definitions, allOf/anyOf/oneOf). A
 * `pattern` is honoured only when one of a few plain candidates matches it: regex inversion is out of scope.
 */
type Schema = boolean | { [key: string]: unknown };

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
const FORMATS: Record<string, string> = {
  'date-time': '2026-01-15T09:30:00Z',
  date: '2026-01-15',
  time: '09:30:00Z',
  email: 'user@example.com',
  uri: 'https://example.com/item',
  'uri-reference': '/item',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uuid: '3f2b7c1e-8d4a-4b6e-9c1f-2a5d7e9b0c13',
};
/** Below this depth a recursive schema gets only what it requires, so generation always ends. */
const MAX_DEPTH = 6;

export class UnsatisfiableSchemaError extends Error {}

export function sampleJson(schema: unknown, random: () => number): unknown {
  return new Sampler(schema, random).value(schema as Schema, 0);
}

class Sampler {
  constructor(
    private readonly root: unknown,
    private readonly random: () => number,
  ) {}

  value(schema: Schema, depth: number): unknown {
    if (schema === true) return this.word();
    if (schema === false) throw new UnsatisfiableSchemaError('a `false` schema accepts no value');
    const s = this.resolve(schema);
    if ('const' in s) return s['const'];
    if (Array.isArray(s['enum']) && s['enum'].length > 0) return this.pick(s['enum']);
    if (Array.isArray(s['allOf'])) return this.value(this.merge(s), depth);
    // The first branch is chosen, not a random one: it keeps oneOf's "exactly one" true for the usual
    // discriminated unions, whose branches differ in a required const or type.
    for (const key of ['anyOf', 'oneOf'] as const) {
      const branches = s[key];
      if (Array.isArray(branches) && branches.length > 0) return this.value({ ...without(s, key), ...(this.resolve(branches[0] as Schema) as object) }, depth);
    }
    switch (this.typeOf(s)) {
      case 'null':
        return null;
      case 'boolean':
        return this.random() < 0.5;
      case 'integer':
        return this.integer(s);
      case 'number':
        return this.number(s);
      case 'string':
        return this.string(s);
      case 'array':
        return this.array(s, depth);
      case 'object':
        return this.object(s, depth);
    }
  }

  private typeOf(s: Record<string, unknown>): 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object' {
    const declared = Array.isArray(s['type']) ? (s['type'] as string[]) : typeof s['type'] === 'string' ? [s['type']] : [];
    // A nullable type still gets a real value: the interesting case for a consumer is the non-null one.
    const chosen = declared.find((t) => t !== 'null') ?? declared[0];
    if (chosen === 'null' || chosen === 'boolean' || chosen === 'integer' || chosen === 'number' || chosen === 'string' || chosen === 'array' || chosen === 'object') return chosen;
    if ('properties' in s || 'required' in s || 'additionalProperties' in s) return 'object';
    if ('items' in s || 'prefixItems' in s) return 'array';
    if ('minimum' in s || 'maximum' in s) return 'number';
    return 'string';
  }

  private integer(s: Record<string, unknown>): number {
    let min = num(s['minimum']) ?? (num(s['exclusiveMinimum']) !== undefined ? Math.floor(num(s['exclusiveMinimum'])!) + 1 : undefined);
    let max = num(s['maximum']) ?? (num(s['exclusiveMaximum']) !== undefined ? Math.ceil(num(s['exclusiveMaximum'])!) - 1 : undefined);
    min = min === undefined ? (max === undefined ? 0 : max - 100) : Math.ceil(min);
    max = max === undefined ? min + 100 : Math.floor(max);
    if (max < min) throw new UnsatisfiableSchemaError('integer bounds cross');
    const step = num(s['multipleOf']);
    if (step && Number.isInteger(step) && step > 0) {
      const first = Math.ceil(min / step) * step;
      if (first > max) throw new UnsatisfiableSchemaError('no multiple within bounds');
      return first + step * Math.floor(this.random() * (Math.floor((max - first) / step) + 1));
    }
    return min + Math.floor(this.random() * (max - min + 1));
  }

  private number(s: Record<string, unknown>): number {
    if (num(s['multipleOf']) !== undefined) return this.integer(s);
    const lo = num(s['minimum']) ?? num(s['exclusiveMinimum']);
    const hi = num(s['maximum']) ?? num(s['exclusiveMaximum']);
    const min = lo ?? (hi === undefined ? 0 : hi - 100);
    const max = hi ?? min + 100;
    // Strictly inside the bounds, so exclusive ones hold too; rounded so the JSON stays short.
    const value = Math.round((min + (max - min) * (0.1 + 0.8 * this.random())) * 100) / 100;
    return value > min && value < max ? value : (min + max) / 2;
  }

  private string(s: Record<string, unknown>): string {
    const format = typeof s['format'] === 'string' ? FORMATS[s['format']] : undefined;
    const minLength = num(s['minLength']) ?? 0;
    const maxLength = num(s['maxLength']) ?? Infinity;
    if (typeof s['pattern'] === 'string') {
      const re = new RegExp(s['pattern'], 'u');
      const found = [this.word(), ...WORDS, 'a', 'A', 'abc', 'ABC', '0', '123', 'a1', 'A-1', 'abc-123', 'x_y'].find(
        (c) => re.test(c) && c.length >= minLength && c.length <= maxLength,
      );
      if (found !== undefined) return found;
    }
    let text = format ?? this.words(1 + Math.floor(this.random() * 3));
    while (text.length < minLength) text += ` ${this.word()}`;
    return text.length > maxLength ? text.slice(0, maxLength) : text;
  }

  private array(s: Record<string, unknown>, depth: number): unknown[] {
    const prefix = Array.isArray(s['prefixItems']) ? (s['prefixItems'] as Schema[]) : [];
    const items = (s['items'] ?? true) as Schema;
    const minItems = Math.max(num(s['minItems']) ?? 0, prefix.length);
    const maxItems = num(s['maxItems']) ?? Math.max(minItems, 3);
    const wanted = depth >= MAX_DEPTH ? minItems : Math.min(maxItems, Math.max(minItems, 1 + Math.floor(this.random() * 3)));
    const out: unknown[] = [];
    const seen = new Set<string>();
    for (let attempt = 0; out.length < wanted && attempt < wanted * 20; attempt++) {
      const i = out.length;
      const item = this.value(i < prefix.length ? prefix[i]! : items === false ? true : items, depth + 1);
      const key = JSON.stringify(item);
      if (s['uniqueItems'] === true && seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
    if (out.length < minItems) throw new UnsatisfiableSchemaError('cannot find enough unique items');
    return out;
  }

  private object(s: Record<string, unknown>, depth: number): Record<string, unknown> {
    const properties = (s['properties'] ?? {}) as Record<string, Schema>;
    const required = new Set(Array.isArray(s['required']) ? (s['required'] as string[]) : []);
    const out: Record<string, unknown> = {};
    for (const [name, sub] of Object.entries(properties)) {
      // Optional properties are included while shallow, so consumers see them; deep down only what is required.
      if (required.has(name) || depth < 2) out[name] = this.value(sub, depth + 1);
    }
    const extra = s['additionalProperties'];
    for (const name of required) {
      if (!(name in out)) out[name] = this.value(typeof extra === 'object' ? (extra as Schema) : true, depth + 1);
    }
    const minProperties = num(s['minProperties']) ?? 0;
    for (let i = 0; Object.keys(out).length < minProperties; i++) {
      if (extra === false) throw new UnsatisfiableSchemaError('minProperties beyond the declared properties');
      out[`${this.word()}_${i}`] = this.value(typeof extra === 'object' ? (extra as Schema) : true, depth + 1);
    }
    return out;
  }

  /** Follows local references (`#/$defs/x`, `#/definitions/x`); a schema without $ref is returned as is. */
  private resolve(schema: Schema): Record<string, unknown> {
    if (typeof schema === 'boolean') return schema ? {} : { not: {} };
    const ref = schema['$ref'];
    if (typeof ref !== 'string') return schema;
    if (!ref.startsWith('#')) throw new UnsatisfiableSchemaError(`only local references are supported, got ${ref}`);
    let node: unknown = this.root;
    for (const part of ref.slice(1).split('/').filter(Boolean)) {
      node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    if (node === undefined) throw new UnsatisfiableSchemaError(`unresolved reference ${ref}`);
    return { ...without(schema, '$ref'), ...this.resolve(node as Schema) };
  }

  /** allOf as one schema: properties and required lists united, other keywords from the last branch that sets them. */
  private merge(s: Record<string, unknown>): Record<string, unknown> {
    const merged: Record<string, unknown> = without(s, 'allOf');
    for (const branch of s['allOf'] as Schema[]) {
      const b = this.resolve(branch);
      const properties = { ...((merged['properties'] as object) ?? {}), ...((b['properties'] as object) ?? {}) };
      const required = [...((merged['required'] as string[]) ?? []), ...((b['required'] as string[]) ?? [])];
      Object.assign(merged, b, { properties, required });
    }
    return merged;
  }

  private pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.random() * values.length)]!;
  }

  private word(): string {
    return this.pick(WORDS);
  }

  private words(n: number): string {
    return Array.from({ length: n }, () => this.word()).join(' ');
  }
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function without(s: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = s;
  return rest;
}
