/**
 * fast-check arbitraries from zod 4 schemas, for the kinds of schema the app API contract is
 * made of (tests only; zod-fast-check speaks zod 3). A kind it does not know is an error, not a
 * guess: a new kind in the contract shows up here first. Dates and bytes are generated as what
 * they are, so a test that demands plain data notices when the contract grows one.
 */
import fc from 'fast-check';
import type * as z from 'zod';

type Def = Record<string, unknown> & { type: string; checks?: { _zod: { def: Record<string, unknown> } }[] };

function defOf(schema: unknown): Def {
  return (schema as { _zod: { def: Def } })._zod.def;
}

function checksOf(def: Def): Record<string, unknown>[] {
  return (def.checks ?? []).map((check) => check._zod.def);
}

function stringArbitrary(def: Def): fc.Arbitrary<string> {
  const checks = checksOf(def);
  let min = 0;
  let max = Number.POSITIVE_INFINITY;
  let pattern: RegExp | undefined;
  let prefix = '';
  const formats = [def, ...checks];
  for (const check of formats) {
    if (check.check === 'min_length') min = check.minimum as number;
    if (check.check === 'max_length') max = check.maximum as number;
    if (check.format === 'regex') pattern = check.pattern as RegExp;
    if (check.format === 'starts_with') prefix = check.prefix as string;
    if (check.format === 'url') {
      // fc.webUrl builds unicode tables on first use (seconds); a backend URL is plain ASCII anyway.
      return fc
        .tuple(fc.constantFrom('http', 'https'), fc.stringMatching(/^[a-z][a-z0-9-]{0,12}(?:\.[a-z]{2,6}){0,2}$/), fc.option(fc.integer({ min: 1, max: 65535 })), fc.stringMatching(/^(?:\/[a-z0-9]{1,8}){0,3}$/))
        .map(([scheme, host, port, path]) => `${scheme}://${host}${port === null ? '' : `:${port}`}${path}`);
    }
    if (check.format === 'base64') return fc.base64String({ maxLength: 64 });
    if (typeof check.format === 'string' && !['regex', 'starts_with'].includes(check.format)) throw new Error(`zod-arbitrary: string format ${check.format} is not supported`);
  }
  const body = pattern !== undefined ? fc.stringMatching(pattern) : fc.string({ maxLength: Math.min(max, 40), unit: 'grapheme' }).map((text) => prefix + text);
  return body.filter((text) => text.length >= min && text.length <= max);
}

function numberArbitrary(def: Def): fc.Arbitrary<number> {
  let min = -Number.MAX_SAFE_INTEGER;
  let max = Number.MAX_SAFE_INTEGER;
  for (const check of checksOf(def)) {
    if (check.check === 'greater_than') min = (check.value as number) + (check.inclusive ? 0 : 1);
    if (check.check === 'less_than') max = (check.value as number) - (check.inclusive ? 0 : 1);
  }
  const integer = def.format === 'safeint' || def.format === 'int32';
  // Small values as often as large ones: amounts, counts and times all live near their minimum.
  return integer ? fc.oneof(fc.integer({ min, max: Math.min(max, min + 1000) }), fc.integer({ min, max })) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

export type Overrides = ReadonlyMap<z.ZodType, fc.Arbitrary<unknown>>;

/** An arbitrary of values the schema accepts (check with `schema.parse`: the walker is not zod). */
export function arbitraryOf(schema: z.ZodType, overrides: Overrides = new Map()): fc.Arbitrary<unknown> {
  const override = overrides.get(schema);
  if (override !== undefined) return override;
  const def = defOf(schema);
  const of = (inner: unknown) => arbitraryOf(inner as z.ZodType, overrides);
  switch (def.type) {
    case 'string':
      return stringArbitrary(def);
    case 'number':
      return numberArbitrary(def);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, string>));
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'nullable':
      return fc.option(of(def.innerType), { nil: null });
    case 'optional':
      return fc.option(of(def.innerType), { nil: undefined });
    case 'array': {
      let minLength = 0;
      let maxLength = 3;
      for (const check of checksOf(def)) {
        if (check.check === 'min_length') minLength = check.minimum as number;
        if (check.check === 'max_length') maxLength = Math.min(check.maximum as number, 3);
      }
      return fc.array(of(def.element), { minLength, maxLength: Math.max(minLength, maxLength) });
    }
    case 'union':
      return fc.oneof(...(def.options as unknown[]).map(of));
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      const requiredKeys: string[] = [];
      for (const [key, value] of Object.entries(shape)) {
        const optional = defOf(value).type === 'optional';
        model[key] = optional ? of(defOf(value).innerType) : of(value);
        if (!optional) requiredKeys.push(key);
      }
      return fc.record(model, { requiredKeys });
    }
    case 'date':
      return fc.date({ noInvalidDate: true });
    default:
      throw new Error(`zod-arbitrary: schema kind ${def.type} is not supported (give an override)`);
  }
}

/** Whether a value is plain data: objects with the Object prototype, arrays, strings, finite numbers, booleans, null. */
export function isPlainData(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value === 'object') return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isPlainData);
  return false;
}
