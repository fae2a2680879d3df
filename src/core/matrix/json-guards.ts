/**
 * Small, non-throwing checks for untrusted JSON. They read own properties only (never the
 * prototype chain) and never copy a `__proto__` key with plain assignment.
 */
import { isJsonObject } from '../result.ts';

export { isJsonObject };

/** The key that would reach the prototype setter if assigned with `obj[key] = …`. */
export const PROTO_KEY = '__proto__';

/** An own property of `obj`, or undefined. Inherited properties are ignored. */
export function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Define an own enumerable property; safe for any key, `__proto__` included. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}

/** `{ [k]: string }` with only string values. */
export function isStringRecord(value: unknown): value is Record<string, string> {
  return isJsonObject(value) && Object.values(value).every(isString);
}

/** `{ user_id: { key_id: string } }` — the spec's signatures shape. */
export function isSignatures(value: unknown): value is Record<string, Record<string, string>> {
  return isJsonObject(value) && Object.values(value).every(isStringRecord);
}

/** A non-negative safe integer, as Canonical JSON allows. */
export function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Short type name for messages: `string`, `number`, `array`, `null`, `object`… */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Is `value` at most `limit` containers deep? Iterative, so a hostile 100 000-level body
 * cannot overflow the stack here (it would later, in canonical JSON).
 */
export function withinDepth(value: unknown, limit: number): boolean {
  // Iterative (a hostile body may nest 100 000 levels) and only containers are stacked: this
  // walks every value of a /keys/query answer, thousands of devices' worth.
  if (typeof value !== 'object' || value === null) return true;
  const containers: object[] = [value];
  const depths: number[] = [0];
  while (containers.length > 0) {
    const current = containers.pop()!;
    const depth = depths.pop()!;
    if (depth >= limit) return false;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) {
        containers.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return true;
}

/**
 * Quote an untrusted key or string for a message: JSON-escaped (no control characters or
 * newlines) and cut to `max` characters.
 */
export function quote(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
