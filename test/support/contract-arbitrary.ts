/**
 * fast-check arbitraries for the app API contract's schemas, so a test can throw every shape
 * the contract allows at a transport. The zod schema is turned into JSON Schema by zod itself
 * (z.toJSONSchema), the JSON Schema into an arbitrary here, and every generated value is kept
 * only if the zod schema accepts it (refinements JSON Schema cannot say, such as a regex and a
 * length limit together, are checked by zod, not guessed).
 */
import fc from 'fast-check';
import * as z from 'zod';
import { REASON_CODES } from '../../protocol/index.ts';
import { reasonCode } from '../../main/contract/schemas.ts';

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

const MAX_ITEMS = 4;
/** Any code point, lone surrogates included: JSON must escape what UTF-8 cannot carry. */
const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((codePoint) => String.fromCodePoint(codePoint));

function integers(min: number, max: number): fc.Arbitrary<number> {
  // Small values, and anything up to 2^53 - 1 (the contract's counts and amounts go that high).
  const small = fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, Math.max(min, 0) + 1000) });
  const any = fc.maxSafeInteger().filter((n) => n >= min && n <= max);
  return fc.oneof(small, any, fc.constantFrom(min, max));
}

function fromJsonSchema(schema: JsonSchema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices !== undefined) return fc.oneof(...choices.map(fromJsonSchema));
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type) => fromJsonSchema({ ...schema, type })));
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return integers(schema.minimum ?? Number.MIN_SAFE_INTEGER, schema.maximum ?? Number.MAX_SAFE_INTEGER);
    case 'number':
      return fc.double({ min: schema.minimum ?? -Number.MAX_VALUE, max: schema.maximum ?? Number.MAX_VALUE, noNaN: true, noDefaultInfinity: true });
    case 'string': {
      const { minLength = 0, maxLength } = schema;
      const text = schema.pattern === undefined ? fc.string({ unit: anyCodePoint, minLength, maxLength: Math.min(maxLength ?? 40, 40) }) : fc.stringMatching(new RegExp(schema.pattern));
      return text.filter((s) => s.length >= minLength && (maxLength === undefined || s.length <= maxLength));
    }
    case 'array':
      return fc.array(fromJsonSchema(schema.items ?? {}), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? MAX_ITEMS, MAX_ITEMS) });
    case 'object': {
      const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, value]) => [key, fromJsonSchema(value)]));
      return fc.record(properties, { requiredKeys: schema.required ?? [] });
    }
    default:
      throw new Error(`no arbitrary for the JSON Schema ${JSON.stringify(schema).slice(0, 200)}`);
  }
}

/** Values `schema` accepts (its output shape), generated from the schema itself. */
export function arbitraryOf<S extends z.ZodType>(schema: S): fc.Arbitrary<z.output<S>> {
  const json = z.toJSONSchema(schema, {
    io: 'output',
    unrepresentable: 'any',
    // The one custom check in the contract: an OIP/1 reason code, a closed list.
    override: (context) => {
      if (context.zodSchema === reasonCode) Object.assign(context.jsonSchema, { enum: [...REASON_CODES] });
    },
  }) as JsonSchema;
  return fromJsonSchema(json).filter((value) => schema.safeParse(value).success) as fc.Arbitrary<z.output<S>>;
}
