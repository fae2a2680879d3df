/**
 * Building a session candidate from untrusted storage values: every field is checked, and the
 * result is either a candidate or the reason it is not one. Shared by the per-app parsers.
 */
import type { AppName, ReadProblem, SessionCandidate } from './types.ts';
import { say } from '../../core/words/say.ts';

export type Parsed = { candidates: SessionCandidate[]; problems: ReadProblem[] };
export const empty = (): Parsed => ({ candidates: [], problems: [] });

export const problem = (app: AppName, message: string, code: ReadProblem['code'] = 'read-failed'): ReadProblem => ({ app, code, message });

/** A homeserver base URL: http(s), no credentials, no query; trailing slashes dropped. */
export function normaliseHomeserver(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    // Not a URL at all.
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) return undefined;
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

const USER_ID = /^@[^:\s]+:\S+$/;
const TOKEN = /^[\x21-\x7e]{1,4096}$/;
const DEVICE_ID = /^[^\s]{0,255}$/;

export type CandidateFields = {
  homeserver: unknown;
  userId: unknown;
  deviceId: unknown;
  accessToken: unknown;
  active?: boolean;
  source: string;
  rotates?: boolean;
  softLogout?: boolean;
};

/** The candidate, or which field is wrong (without echoing the value: it may be a secret). */
export function makeCandidate(app: AppName, f: CandidateFields): SessionCandidate | string {
  const homeserver = normaliseHomeserver(f.homeserver);
  if (homeserver === undefined) return f.homeserver === undefined || f.homeserver === null ? say('core_base_cand_no_homeserver') : say('core_base_cand_bad_homeserver');
  if (typeof f.userId !== 'string' || !USER_ID.test(f.userId)) return f.userId === undefined || f.userId === null ? say('core_base_cand_no_user_id') : say('core_base_cand_bad_user_id');
  const deviceId = f.deviceId === undefined || f.deviceId === null ? '' : f.deviceId;
  if (typeof deviceId !== 'string' || !DEVICE_ID.test(deviceId)) return say('core_base_cand_bad_device_id');
  if (f.accessToken === undefined || f.accessToken === null || f.accessToken === '') return say('core_base_cand_no_token');
  if (typeof f.accessToken !== 'string' || !TOKEN.test(f.accessToken)) return say('core_base_cand_bad_token');
  return {
    app,
    homeserver,
    userId: f.userId,
    deviceId,
    accessToken: f.accessToken,
    active: f.active === true,
    source: f.source,
    rotates: f.rotates === true,
    softLogout: f.softLogout === true,
  };
}

/** JSON.parse that reports failure instead of throwing. */
export function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    // Broken JSON is a normal outcome for page storage; the caller words the problem.
    return { ok: false };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
