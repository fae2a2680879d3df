import { useState } from 'preact/hooks';
import { USER_STATES, type UserState, type UsersReport } from '../../core/users/types.ts';
import { visible } from '../visible-text.ts';
import { KeyText } from './key-text.tsx';
import { COLLAPSE_OVER } from './collapsible-section.tsx';
import { VirtualRows } from './virtual-rows.tsx';
import { t, type MessageId } from '../i18n.ts';
import { usersProblemText } from '../core-words.ts';

const STATE_LABELS: Readonly<Record<UserState, MessageId>> = {
  'verified': 'userState_verified',
  'verified-by-replaced-key': 'userState_verified_by_replaced_key',
  'identity-changed': 'userState_identity_changed',
  'not-verified': 'userState_not_verified',
  'no-identity': 'userState_no_identity',
};
/** One sentence more where the label alone could mislead (as USER_STATE_NOTES says it for the CLI). */
const STATE_NOTES: Readonly<Partial<Record<UserState, MessageId>>> = {
  'verified-by-replaced-key': 'userNote_verified_by_replaced_key',
  'identity-changed': 'userNote_identity_changed',
};
const stateLabel = (s: UserState): string => t(STATE_LABELS[s]);
const stateNote = (s: UserState): string | undefined => (STATE_NOTES[s] === undefined ? undefined : t(STATE_NOTES[s]));

/** Beyond this many rows, only those near the scroll position are drawn (VirtualRows). */
const MAX_ROWS = 200;

/**
 * The people whose verification matters (docs/matrix-api.md#user-verification): counts per state,
 * a filter box, one row per user with their master key for reading aloud, and a box to add a user ID.
 */
export function UsersSection({ users, error, busy, onAdd, onVerify, onRepair }: {
  users: UsersReport | null; error: string | null; busy: boolean; onAdd: (userId: string) => void;
  /** Open verify-user for this person (their key is NOT filled in: the person types what they are read out). */
  onVerify?: (userId: string) => void;
  /** Open the repair a users problem names. */
  onRepair?: (kind: 'reverify-users') => void;
}) {
  const [filter, setFilter] = useState('');
  const [typed, setTyped] = useState('');
  const f = filter.trim().toLowerCase();
  const shown = users?.users.filter((u) => f === '' || u.userId.toLowerCase().includes(f) || u.state.includes(f)
    || stateLabel(u.state).toLowerCase().includes(f)) ?? [];
  const row = (u: UsersReport['users'][number]) => (
    <tr key={u.userId} data-testid="user-row" data-user-id={u.userId} data-state={u.state}>
      <td>{visible(u.userId)}</td>
      <td data-testid="user-state" data-state={u.state} title={stateNote(u.state)}
        class={u.state === 'verified' ? 'good-text' : u.state === 'no-identity' ? 'muted' : 'bad-text'}>
        {stateLabel(u.state)}{stateNote(u.state) && <span class="muted"> — {stateNote(u.state)}</span>}
      </td>
      <td><KeyText value={u.fingerprint} label={t('masterKeyOf', u.userId)} testId="user-fingerprint" /></td>
      <td>{onVerify && u.masterKey !== null && u.state !== 'verified' && (
        <button type="button" data-testid="user-verify" data-user-id={u.userId} onClick={() => onVerify(u.userId)}>{t('verify')}</button>
      )}</td>
    </tr>
  );
  return (
    <section aria-label={t('peopleLabel')} data-testid="users-section" data-loaded={String(users !== null)} aria-busy={busy}>
      {/* Collapsed only when long and with nothing wrong: a problem row and its repair stay in view. */}
      <details open={(users?.users.length ?? 0) <= COLLAPSE_OVER || (users?.problems.length ?? 0) > 0 || error !== null}
        data-testid="section-details" data-count={users?.users.length ?? 0}>
      <summary><h2>{t('people')}{users && <span class="muted"> ({users.users.length})</span>}</h2></summary>
      {error && <p class="error" role="alert" data-testid="users-error">{error}</p>}
      {!users ? <p class="muted">{busy ? t('readingMembers') : ''}</p> : (
        <>
          <ul class="problems">
            {users.problems.map((p) => (
              <li key={p.code} data-testid="users-problem" data-code={p.code} data-repair={p.repair ?? ''}>
                <span class="bad-text">✗</span> {usersProblemText(p) ?? p.message}{p.repair && (onRepair
                  ? <> <button type="button" data-testid="users-problem-repair" data-repair={p.repair} onClick={() => onRepair(p.repair!)}>{t('verifyAgain')}</button></>
                  : ` → ${p.repair}`)}
              </li>
            ))}
          </ul>
          <p class="muted">
            {USER_STATES.map((s) => (
              <span key={s} data-testid="users-count" data-state={s} data-count={users.counts[s]}>{stateLabel(s)}: {users.counts[s]}. </span>
            ))}
          </p>
          <div class="row">
            <input type="search" placeholder={t('filterByUserState')} aria-label={t('filterPeople')} data-testid="users-filter"
              value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
            <form class="row" onSubmit={(e) => { e.preventDefault(); if (typed.trim()) onAdd(typed.trim()); }}>
              <input placeholder="@someone:example.org" aria-label={t('addUserId')} data-testid="users-add" value={typed}
                onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
              <button type="submit" disabled={busy} data-testid="users-add-button">{t('checkUser')}</button>
            </form>
          </div>
          {shown.length > MAX_ROWS ? <VirtualRows items={shown} label={t('people')} row={row} testId="users-scroll" /> : (
            <table>
              <tbody>{shown.map(row)}</tbody>
            </table>
          )}
        </>
      )}
      </details>
    </section>
  );
}
