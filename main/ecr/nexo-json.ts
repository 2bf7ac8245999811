/**
 * JSON for nexo messages without floating point in between. Parsing keeps each number's source
 * text next to the value (JSON.parse's reviver gets it as `context.source`, ES2025 "JSON.parse
 * source text access", in V8 since 11.4: Node 24 and Electron both have it), so an amount is read
 * from the digits the register sent, not from a double. Writing puts an amount's exact decimal
 * text into the output (`JSON.rawJSON`, the same proposal).
 */
import { decimalText } from './amounts.ts';

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;
interface JsonWithSource {
  parse(text: string, reviver: Reviver): unknown;
  rawJSON(text: string): unknown;
}
const json = JSON as unknown as JsonWithSource;

export interface ParsedJson {
  value: unknown;
  /** The source text of the number at `holder[key]`, if the parsed document had one there. */
  numberText(holder: unknown, key: string): string | undefined;
}

/** JSON.parse that remembers every number's text by the object (or array) holding it. */
export function parseJsonKeepingNumbers(text: string): ParsedJson {
  const sources = new WeakMap<object, Map<string, string>>();
  const value = json.parse(text, function (this: unknown, key, item, context) {
    if (typeof item === 'number' && context?.source !== undefined && typeof this === 'object' && this !== null) {
      let keys = sources.get(this);
      if (keys === undefined) sources.set(this, (keys = new Map()));
      keys.set(key, context.source);
    }
    return item;
  });
  return {
    value,
    numberText: (holder, key) => (typeof holder === 'object' && holder !== null ? sources.get(holder)?.get(key) : undefined),
  };
}

/** An amount in minor units that writes itself into JSON as its exact decimal in major units. */
export class NexoAmount {
  readonly minor: number;
  readonly currency: string;
  constructor(minor: number, currency: string) {
    this.minor = minor;
    this.currency = currency;
  }
  toJSON(): unknown {
    return json.rawJSON(decimalText(this.minor, this.currency));
  }
}

/** Whether this runtime gives number source text and raw JSON (checked once, when the routes are registered). */
export function runtimeKeepsNumberText(): boolean {
  try {
    const parsed = parseJsonKeepingNumbers('{"a":1.50}');
    return parsed.numberText(parsed.value, 'a') === '1.50' && JSON.stringify({ a: json.rawJSON('1.50') }) === '{"a":1.50}';
  } catch {
    return false;
  }
}
