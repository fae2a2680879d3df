/**
 * Errors cross the extension message boundary as plain data and are rebuilt on the other side,
 * keeping the class name and the Matrix fields a UI needs (errcode, retry hint, UIA challenge).
 */
import { isJsonObject } from '../core/result.ts';

export type WireError = {
  name: string;
  message: string;
  errcode?: string;
  status?: number;
  retryAfterMs?: number;
  kind?: string;
  code?: string;
  /** A message id of _locales and its substitutions: the popup says `message` in the UI language (docs/design.md#translations). */
  words?: { id: string; subs: string[] };
};
/**
 * A success carries its value as is, or (`json`) as one JSON string: Firefox clones a string far
 * faster than the object graph of a large report (the receiver picks which replies,
 * docs/design.md#reply-as-json).
 */
export type WireReply<T> = { ok: true; value: T } | { ok: true; json: string } | { ok: false; error: WireError };

/** An error rebuilt from the wire; `name` keeps the original class name for the UI. */
export class RemoteError extends Error {
  readonly errcode: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly kind: string | undefined;
  readonly code: string | undefined;
  readonly words: WireError['words'];
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name;
    this.errcode = wire.errcode;
    this.status = wire.status;
    this.retryAfterMs = wire.retryAfterMs;
    this.kind = wire.kind;
    this.code = wire.code;
    this.words = wire.words;
  }
}

const pick = <T>(value: unknown, type: 'string' | 'number'): T | undefined =>
  typeof value === type ? (value as T) : undefined;

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const e = error as Error & Record<string, unknown>;
  const wire: WireError = { name: e.name, message: e.message };
  const errcode = pick<string>(e.errcode, 'string');
  const status = pick<number>(e.status, 'number');
  const retryAfterMs = pick<number>(e.retryAfterMs, 'number');
  const kind = pick<string>(e.kind, 'string');
  const code = pick<string>(e.code, 'string');
  if (errcode !== undefined) wire.errcode = errcode;
  if (status !== undefined) wire.status = status;
  if (retryAfterMs !== undefined) wire.retryAfterMs = retryAfterMs;
  if (kind !== undefined) wire.kind = kind;
  if (code !== undefined) wire.code = code;
  const words = e.words as { id?: unknown; subs?: unknown } | undefined;
  if (typeof words?.id === 'string' && Array.isArray(words.subs) && words.subs.every((x) => typeof x === 'string')) {
    wire.words = { id: words.id, subs: words.subs as string[] };
  }
  return wire;
}

export function isWireReply(value: unknown): value is WireReply<unknown> {
  if (!isJsonObject(value) || typeof value.ok !== 'boolean') return false;
  if (value.ok) return 'value' in value || typeof value.json === 'string';
  return isJsonObject(value.error) && typeof value.error.name === 'string' && typeof value.error.message === 'string';
}

/** The value of a success: parsed when it came as a JSON string. */
export function replyValue(reply: { ok: true; value: unknown } | { ok: true; json: string }): unknown {
  return 'json' in reply ? JSON.parse(reply.json) : reply.value;
}
