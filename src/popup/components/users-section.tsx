import { useState } from 'preact/hooks';
import { USER_STATE_LABELS, USER_STATE_NOTES } from '../../core/users/labels.ts';
import { USER_STATES, type UsersReport } from '../../core/users/types.ts';
import { visible } from '../visible-text.ts';
import { KeyText } from './key-text.tsx';
import { COLLAPSE_OVER } from './collapsible-section.tsx';
import { VirtualRows } from './virtual-rows.tsx';

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
    || USER_STATE_LABELS[u.state].toLowerCase().includes(f)) ?? [];
  const row = (u: UsersReport['users'][number]) => (
    <tr key={u.userId} data-testid="user-row" data-user-id={u.userId} data-state={u.state}>
      <td>{visible(u.userId)}</td>
      <td data-testid="user-state" data-state={u.state} title={USER_STATE_NOTES[u.state]}
        class={u.state === 'verified' ? 'good-text' : u.state === 'no-identity' ? 'muted' : 'bad-text'}>
        {USER_STATE_LABELS[u.state]}{USER_STATE_NOTES[u.state] && <span class="muted"> — {USER_STATE_NOTES[u.state]}</span>}
      </td>
      <td><KeyText value={u.fingerprint} label={`master key of ${u.userId}`} testId="user-fingerprint" /></td>
      <td>{onVerify && u.masterKey !== null && u.state !== 'verified' && (
        <button type="button" data-testid="user-verify" data-user-id={u.userId} onClick={() => onVerify(u.userId)}>Verify…</button>
      )}</td>
    </tr>
  );
  return (
    <section aria-label="People you verified" data-testid="users-section" data-loaded={String(users !== null)} aria-busy={busy}>
      {/* Collapsed only when long and with nothing wrong: a problem row and its repair stay in view. */}
      <details open={(users?.users.length ?? 0) <= COLLAPSE_OVER || (users?.problems.length ?? 0) > 0 || error !== null}
        data-testid="section-details" data-count={users?.users.length ?? 0}>
      <summary><h2>People{users && <span class="muted"> ({users.users.length})</span>}</h2></summary>
      {error && <p class="error" role="alert" data-testid="users-error">{error}</p>}
      {!users ? <p class="muted">{busy ? 'Reading your encrypted rooms’ members…' : ''}</p> : (
        <>
          <ul class="problems">
            {users.problems.map((p) => (
              <li key={p.code} data-testid="users-problem" data-code={p.code} data-repair={p.repair ?? ''}>
                <span class="bad-text">✗</span> {p.message}{p.repair && (onRepair
                  ? <> <button type="button" data-testid="users-problem-repair" data-repair={p.repair} onClick={() => onRepair(p.repair!)}>Verify again…</button></>
                  : ` → ${p.repair}`)}
              </li>
            ))}
          </ul>
          <p class="muted">
            {USER_STATES.map((s) => (
              <span key={s} data-testid="users-count" data-state={s} data-count={users.counts[s]}>{USER_STATE_LABELS[s]}: {users.counts[s]}. </span>
            ))}
          </p>
          <div class="row">
            <input type="search" placeholder="Filter by user ID or state" aria-label="Filter people" data-testid="users-filter"
              value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
            <form class="row" onSubmit={(e) => { e.preventDefault(); if (typed.trim()) onAdd(typed.trim()); }}>
              <input placeholder="@someone:example.org" aria-label="Add a user ID" data-testid="users-add" value={typed}
                onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
              <button type="submit" disabled={busy} data-testid="users-add-button">Check</button>
            </form>
          </div>
          {shown.length > MAX_ROWS ? <VirtualRows items={shown} label="People" row={row} testId="users-scroll" /> : (
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
