import Ajv2020 from 'ajv/dist/2020';
import { prng } from './text-generator';
import { sampleJson, UnsatisfiableSchemaError } from './json-schema-sampler';

// Formats are not asserted by ajv without ajv-formats; the sampler's format strings are fixed, valid examples.
const ajv = new Ajv2020({ strict: false, validateFormats: false });

const schemas: Record<string, object> = {
  'nested object, enum, bounds, no extra properties': {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'age', 'tags', 'status', 'address'],
    properties: {
      name: { type: 'string', minLength: 3, maxLength: 12 },
      age: { type: 'integer', minimum: 18, exclusiveMaximum: 21 },
      score: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      tags: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 4, uniqueItems: true },
      status: { enum: ['open', 'closed'] },
      address: { type: 'object', required: ['city'], properties: { city: { type: 'string' }, zip: { type: ['string', 'null'], pattern: '^[0-9]+$' } } },
    },
  },
  'definitions, references and recursion': {
    $defs: {
      node: {
        type: 'object',
        required: ['id', 'children'],
        properties: { id: { type: 'integer', multipleOf: 5, minimum: 1 }, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
      },
    },
    $ref: '#/$defs/node',
  },
  'unions, const and allOf': {
    type: 'object',
    required: ['kind', 'value', 'both'],
    properties: {
      kind: { const: 'event' },
      value: { oneOf: [{ type: 'object', required: ['type'], properties: { type: { const: 'a' } } }, { type: 'string' }] },
      both: {
        allOf: [
          { type: 'object', required: ['x'], properties: { x: { type: 'boolean' } } },
          { required: ['y'], properties: { y: { type: 'null' } } },
        ],
      },
    },
  },
  'tuple and formats': {
    type: 'array',
    prefixItems: [{ type: 'string', format: 'date-time' }, { type: 'string', format: 'email' }, { type: 'number' }],
    items: false,
  },
};

describe('sampleJson', () => {
  it.each(Object.entries(schemas))('gives a value that validates: %s', (_name, schema) => {
    const validate = ajv.compile(schema);
    for (let seed = 1; seed <= 25; seed++) {
      const value = sampleJson(schema, prng(seed));
      if (!validate(value)) throw new Error(`seed ${seed}: ${JSON.stringify(value)} fails: ${ajv.errorsText(validate.errors)}`);
    }
  });

  it('is deterministic for one random source and varies with another', () => {
    const schema = schemas['nested object, enum, bounds, no extra properties']!;
    expect(sampleJson(schema, prng(7))).toEqual(sampleJson(schema, prng(7)));
    const values = new Set(Array.from({ length: 10 }, (_, i) => JSON.stringify(sampleJson(schema, prng(i)))));
    expect(values.size).toBeGreaterThan(1);
  });

  it('says so when a schema cannot be met', () => {
    expect(() => sampleJson(false, prng(1))).toThrow(UnsatisfiableSchemaError);
    expect(() => sampleJson({ type: 'integer', minimum: 5, maximum: 4 }, prng(1))).toThrow(UnsatisfiableSchemaError);
    expect(() => sampleJson({ $ref: '#/$defs/missing' }, prng(1))).toThrow(/unresolved reference/);
  });
});
