/**
 * Matrix Canonical JSON (spec appendices §Canonical JSON; docs/matrix-api.md#canonical-json).
 *
 * Invariants:
 * - The output is the exact text that gets signed, so it must match the reference implementation
 *   (Python `json.dumps(v, ensure_ascii=False, separators=(',', ':'), sort_keys=True)`) byte for byte
 *   once UTF-8 encoded.
 * - Anything that has no single canonical form is rejected rather than coerced, because silently
 *   coercing would make us sign or verify bytes that no other implementation produces.
 */
import { say } from './words/say.ts';

/** Thrown when a value has no Canonical JSON form. `path` locates the offending value, e.g. `$.a[2].b`. */
export class CanonicalJsonError extends Error {
  override name = 'CanonicalJsonError';
  /** JSONPath-like location of the offending value: `$`, `$.a[2].b`, `$["key with spaces"]`. */
  readonly path: string;

  constructor(message: string, path: string) {
    super(`${message} at ${path}`);
    this.path = path;
  }
}

// Not a spec rule: it keeps hostile, absurdly nested input from overflowing the JS stack (a
// RangeError whose depth differs between engines) and is in the same range as Python's default
// recursion limit, which bounds what Synapse's canonicaljson can encode anyway.
const MAX_DEPTH = 1000;

// Spec appendices §Canonical JSON: integers in [-(2**53)+1, (2**53)-1].
const MAX_INTEGER = Number.MAX_SAFE_INTEGER;

// In a `u`-flag regex a surrogate range only matches *unpaired* surrogates: paired ones are read as
// one astral code point. Unpaired surrogates cannot be encoded as UTF-8, so no canonical form exists.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

type PathSegment = string | number;

function formatPath(segments: readonly PathSegment[]): string {
  let out = '$';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Compare two strings by Unicode code point, as the spec requires for key order.
 *
 * Plain `<` compares UTF-16 code units, which puts astral characters (surrogate pairs, D800–DFFF)
 * *before* U+E000–U+FFFF although their code points are larger. Only the first differing unit
 * matters, and only when both units are ≥ U+D800, so the fix-up is local (the same trick ICU uses
 * for "UTF-16 in code point order").
 *
 * @param a - First string.
 * @param b - Second string.
 * @returns Negative, zero or positive, like a `sort` comparator.
 * @throws Never for string arguments.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

function encodeString(value: string, path: PathSegment[]): string {
  if (LONE_SURROGATE.test(value)) {
    throw new CanonicalJsonError(say('core_base_cjson_lone_surrogate'), formatPath(path));
  }
  // docs/matrix-api.md#canonical-json: JSON.stringify already uses exactly the canonical escapes (short escapes,
  // lowercase \u00XX for other controls, everything else raw including `/`, U+007F and U+2028).
  return JSON.stringify(value);
}

function encodeNumber(value: number, path: PathSegment[]): string {
  if (!Number.isInteger(value)) {
    throw new CanonicalJsonError(say('core_base_cjson_not_integer', String(value)), formatPath(path));
  }
  if (Math.abs(value) > MAX_INTEGER) {
    throw new CanonicalJsonError(say('core_base_cjson_out_of_range', String(value)), formatPath(path));
  }
  // Spec: "negative zero -0 MUST NOT appear"; the spec's own example maps -0 to 0. String(-0) is
  // already "0", and safe integers never print with an exponent, but be explicit about -0.
  return Object.is(value, -0) ? '0' : String(value);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function encodeValue(value: unknown, path: PathSegment[], seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value, path);
    case 'number':
      return encodeNumber(value, path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      // undefined, bigint, symbol, function: JSON.stringify would drop or throw on these
      // inconsistently, so reject them everywhere (including inside objects).
      throw new CanonicalJsonError(say('core_base_cjson_unsupported_type', typeof value), formatPath(path));
  }
  if (value === null) return 'null';
  if (path.length >= MAX_DEPTH) {
    throw new CanonicalJsonError(say('core_base_cjson_too_deep', MAX_DEPTH), formatPath(path));
  }
  if (seen.has(value)) throw new CanonicalJsonError(say('core_base_cjson_circular'), formatPath(path));

  if (Array.isArray(value)) {
    seen.add(value);
    const parts: string[] = [];
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      // Holes in sparse arrays read as undefined and are rejected like any other undefined.
      parts.push(encodeValue(value[i], path, seen));
      path.pop();
    }
    seen.delete(value);
    return `[${parts.join(',')}]`;
  }

  // Dates, Maps, typed arrays, boxed primitives and class instances have no JSON meaning of their
  // own (JSON.stringify would call toJSON or flatten them), so they are refused.
  if (!isPlainObject(value)) {
    const kind = (value as { constructor?: { name?: unknown } }).constructor?.name;
    throw new CanonicalJsonError(say('core_base_cjson_unsupported_object', typeof kind === 'string' ? kind : 'unknown'), formatPath(path));
  }
  seen.add(value);
  const record = value as Record<string, unknown>;
  // Own enumerable string keys only, like JSON.stringify; symbol keys are not JSON and are ignored.
  const keys = Object.keys(record).sort(compareCodePoints);
  const parts: string[] = [];
  for (const key of keys) {
    path.push(key);
    parts.push(`${encodeString(key, path)}:${encodeValue(record[key], path, seen)}`);
    path.pop();
  }
  seen.delete(value);
  return `{${parts.join(',')}}`;
}

/**
 * Encode a value as Matrix Canonical JSON (spec appendices §Canonical JSON).
 *
 * Keys are sorted by Unicode code point, there is no insignificant whitespace, strings are
 * escaped exactly as `JSON.stringify` does, and `-0` is written as `0`.
 *
 * @param value - Any JSON-compatible value: plain objects (including null-prototype ones),
 *   arrays, strings, safe integers, booleans and null.
 * @returns The canonical JSON text (encode it as UTF-8 to get the signed bytes).
 * @throws {CanonicalJsonError} On non-integers, NaN, ±Infinity, integers beyond ±(2^53−1),
 *   undefined, functions, symbols, bigints, non-plain objects, cycles, unpaired surrogates or
 *   nesting deeper than 1000 levels; `error.path` locates the value.
 * @example
 * ```ts
 * canonicalJson({ b: '2', a: '1' }); // '{"a":"1","b":"2"}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return encodeValue(value, [], new Set());
}
