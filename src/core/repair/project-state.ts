/**
 * The account as it will read once a plan ran: its account-data writes (secrets, key
 * descriptions, `default_key`) and its cross-signing upload applied to the state it was built on.
 * A composed fix (src/core/app/compose-fix.ts, docs/design.md#composed-fix) builds each later part
 * on this projection, so a reset after a new secret-storage key stores under the NEW key, and a
 * new backup after a reset is signed by the NEW master key.
 */
import {
  buildAccountState, DEFAULT_KEY_TYPE, KEY_DESCRIPTION_PREFIX, SECRET_NAMES,
  type AccountState, type ReadOutcome, type SecretName,
} from '../inspect/account-state.ts';
import { isJsonObject } from '../result.ts';
import { ROLE, ROLES } from '../roles.ts';
import type { RepairPlan } from './plans.ts';

const clone = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)) as T);

/**
 * `state` with `plan`'s writes applied. Reads it does not write stay as they were (the backup's
 * version is not projected: no part of a fix runs after a new backup version).
 * @throws Never: a projection that would not parse leaves the state as it was.
 */
export function projectState(state: AccountState, plan: RepairPlan): AccountState {
  const { userId } = state;
  let keysQuery = clone(state.keysQuery.raw);
  let defaultKey: ReadOutcome = state.defaultKey.read;
  const secrets = Object.fromEntries(state.secrets.map((s) => [s.name, s.read])) as Record<SecretName, ReadOutcome>;
  const descriptions = state.keyDescriptions.map((d) => ({ keyId: d.keyId, read: d.read }));
  for (const step of plan.steps) {
    const body = step.request.body;
    if (step.kind === 'put-secret') {
      const name = step.request.segments.at(-1) ?? '';
      const found: ReadOutcome = { status: 'found', raw: clone(body) };
      if (name === DEFAULT_KEY_TYPE) defaultKey = found;
      else if ((SECRET_NAMES as readonly string[]).includes(name)) secrets[name as SecretName] = found;
      else if (name.startsWith(KEY_DESCRIPTION_PREFIX)) {
        const keyId = name.slice(KEY_DESCRIPTION_PREFIX.length);
        const at = descriptions.findIndex((d) => d.keyId === keyId);
        if (at === -1) descriptions.unshift({ keyId, read: found });
        else descriptions[at] = { keyId, read: found };
      }
    } else if (step.kind === 'upload-cross-signing-keys') {
      const query = isJsonObject(keysQuery) ? keysQuery : {};
      for (const role of ROLES) {
        const { uploadField: field, querySection: section } = ROLE[role];
        if (body[field] === undefined) continue;
        const current = isJsonObject(query[section]) ? query[section] as Record<string, unknown> : {};
        query[section] = { ...current, [userId]: clone(body[field]) };
      }
      keysQuery = query;
    }
  }
  const projected = buildAccountState(userId, {
    keysQuery, defaultKey, secrets, keyDescriptions: descriptions, keyIdsSkipped: state.keyIdsSkipped, backup: state.backup.read,
  });
  return projected.ok ? projected.value : state;
}
