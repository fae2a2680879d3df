/**
 * A tiny strict validator for untrusted structured input (extension messages, CLI JSON).
 * Validators iterate the SCHEMA's keys, never the input's, reject unknown keys, and return
 * Results instead of throwing. Output objects are fresh, so a hostile `__proto__` key can
 * never reach the caller.
 */
import { fail, isJsonObject, ok, type Result } from './result.ts';
import { say } from './words/say.ts';

export type Validator<T> = (value: unknown, path?: string) => Result<T>;
export type Infer<V> = V extends Validator<infer T> ? T : never;

export const str =
  (opts: { min?: number; max?: number; pattern?: RegExp } = {}): Validator<string> =>
  (value, path = '$') => {
    if (typeof value !== 'string') return fail(say('core_base_schema_not_string', path));
    if (value.length < (opts.min ?? 0)) return fail(say('core_base_schema_empty', path));
    if (value.length > (opts.max ?? 65_536)) return fail(say('core_base_schema_too_long', path));
    if (opts.pattern && !opts.pattern.test(value)) return fail(say('core_base_schema_bad_format', path));
    return ok(value);
  };

export const int =
  (opts: { min?: number; max?: number } = {}): Validator<number> =>
  (value, path = '$') => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return fail(say('core_base_schema_not_integer', path));
    if (value < (opts.min ?? Number.MIN_SAFE_INTEGER) || value > (opts.max ?? Number.MAX_SAFE_INTEGER)) {
      return fail(say('core_base_schema_out_of_range', path));
    }
    return ok(value);
  };

export const bool = (): Validator<boolean> => (value, path = '$') =>
  typeof value === 'boolean' ? ok(value) : fail(say('core_base_schema_not_boolean', path));

export const literal =
  <const L extends string>(...allowed: L[]): Validator<L> =>
  (value, path = '$') =>
    typeof value === 'string' && (allowed as string[]).includes(value)
      ? ok(value as L)
      : fail(say('core_base_schema_not_one_of', path, allowed.join(', ')));

export const array =
  <T>(item: Validator<T>, opts: { min?: number; max?: number } = {}): Validator<T[]> =>
  (value, path = '$') => {
    if (!Array.isArray(value)) return fail(say('core_base_schema_not_array', path));
    if (value.length > (opts.max ?? 10_000)) return fail(say('core_base_schema_too_many', path));
    if (value.length < (opts.min ?? 0)) return fail(say('core_base_schema_too_few', path));
    const out: T[] = [];
    for (let i = 0; i < value.length; i++) {
      const r = item(value[i], `${path}[${i}]`);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return ok(out);
  };

/** Marks a property as optional: absent (or undefined) is accepted and left out. */
export type Optional<T> = Validator<T> & { optional: true };
export const optional = <T>(v: Validator<T>): Optional<T> => Object.assign(((value, path) => v(value, path)) as Validator<T>, { optional: true as const });

type Shape = Record<string, Validator<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

export const object =
  <S extends Shape>(shape: S): Validator<ObjectOf<S>> =>
  (value, path = '$') => {
    if (!isJsonObject(value)) return fail(say('core_base_schema_not_object', path));
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key)) return fail(say('core_base_schema_unknown_key', path, JSON.stringify(key)));
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      const validator = shape[key]!;
      const present = Object.hasOwn(value, key) && value[key] !== undefined;
      if (!present) {
        if ('optional' in validator) continue;
        return fail(say('core_base_schema_required', `${path}.${key}`));
      }
      const r = validator(value[key], `${path}.${key}`);
      if (!r.ok) return r;
      out[key] = r.value;
    }
    return ok(out as ObjectOf<S>);
  };
