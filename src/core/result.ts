/**
 * Outcome of parsing untrusted input (server JSON, web-app storage, messages).
 * Parsers return a Result and never throw; throws are reserved for programmer errors.
 */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E = string>(error: E): { ok: false; error: E } => ({ ok: false, error });

/** Narrow an unknown value to a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The elements of an untrusted array, copied by index into a fresh array. Holes (which
 * structured clone can carry) become `undefined` instead of being skipped by every/filter, and no
 * `constructor`/species lookup on the hostile array can throw.
 */
export function arrayItems(value: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < value.length; i++) out.push(value[i]);
  return out;
}
