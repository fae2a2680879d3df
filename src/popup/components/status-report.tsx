import { errorText } from '../error-text.ts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { hostOf } from '../../core/matrix/hosts.ts';
import { send } from '../../ext/messaging.ts';
import type { SessionView, StatusView } from '../../ext/protocol.ts';
import type { UsersReport } from '../../core/users/types.ts';
import { UsersSection } from './users-section.tsx';
import { BackupTable } from './backup-table.tsx';
import { CopyButton } from './copy-button.tsx';
import { DevicesTable } from './devices-table.tsx';
import { IdentityTable } from './identity-table.tsx';
import { RawJson } from './raw-json.tsx';
import { isExtRepair, RepairPanel } from './repair-panel.tsx';
import type { RepairKind } from '../../ext/protocol.ts';
import { SecretKeyForm } from './secret-key-form.tsx';
import { SecretStorageTable } from './secret-storage-table.tsx';
import { Verdict } from './verdict.tsx';
import { accountVerdict } from '../../core/users/verdict.ts';
import { t } from '../i18n.ts';

type SecretInput = { recoveryKey?: string; passphrase?: string };

/** The verified cross-signing picture of the session's account. */
export function StatusReport({ session }: { session: SessionView }) {
  const [status, setStatus] = useState<StatusView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [showAllDevices, setShowAllDevices] = useState(false);
  const [repair, setRepair] = useState<RepairKind | null>(null);
  const [verifyUser, setVerifyUser] = useState<string | null>(null);
  // A repair is running (or its re-read is not in yet): the verdict above says so, not a stale one.
  const [repairing, setRepairing] = useState(false);
  // Completed reads, as `data-reads`: after a repair, "the re-read is in" is then a fact to wait
  // for, not a moment to guess (the verdict element exists before and after).
  const [reads, setReads] = useState(0);
  // The /keys/query JSON behind this status, asked for once when a raw view or the diagnostic needs it.
  const rawKeysQuery = useRef<{ reads: number; json: Promise<unknown> } | null>(null);
  const keysQuery = () => {
    if (rawKeysQuery.current?.reads !== reads) {
      rawKeysQuery.current = { reads, json: send('readRaw', { sessionId: session.sessionId }).then((r) => r.keysQuery) };
    }
    return rawKeysQuery.current.json;
  };

  const load = async (secret?: SecretInput) => {
    setBusy(true);
    setError(null);
    try {
      setStatus(await send('readStatus', { sessionId: session.sessionId, ...secret }));
      setReads((n) => n + 1);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const [users, setUsers] = useState<UsersReport | null>(null);
  const [usersError, setUsersError] = useState<string | null>(null);
  const [usersBusy, setUsersBusy] = useState(false);
  const [typedUsers, setTypedUsers] = useState<string[]>([]);
  const loadUsers = async (userIds: string[]) => {
    setUsersBusy(true);
    setUsersError(null);
    try {
      setUsers(await send('readUsers', { sessionId: session.sessionId, userIds }));
      setTypedUsers(userIds);
    } catch (e) {
      setUsersError(errorText(e));
    } finally {
      setUsersBusy(false);
    }
  };
  // Sent beside readStatus, not after it: the users report needs nothing from it, and the verdict
  // never waits for the users (docs/matrix-api.md#users-discovery).
  useEffect(() => { setUsers(null); void load(); void loadUsers([]); }, [session.sessionId]);

  if (!status) {
    return (
      <section data-testid="status-loading" aria-busy={busy}>
        {error ? <p class="error" role="alert" data-testid="status-error">{error} <button type="button" onClick={() => void load()}>{t('retry')}</button></p> : <p class="muted">{t('readingKeys')}</p>}
      </section>
    );
  }
  const { report, raw } = status;
  // The same redacted bundle as `xsign-doctor status --diagnostic`: no token, no secret. Built by
  // the background from this read (it holds the server JSON), so the popup does not carry it.
  const diagnostic = async () => {
    const { text } = await send('readDiagnostic', { sessionId: session.sessionId });
    if (text === null) throw new Error(t('readGone'));
    return text;
  };
  const verdict = accountVerdict(report, users);
  return (
    <div data-testid="status-report" aria-busy={busy} data-reads={reads}>
      {/* The verdict stays in view while the rest scrolls (Chrome caps a popup at 800×600). */}
      <div class="sticky-verdict" data-testid="sticky-verdict">
        <Verdict {...verdict} report={report} usersRead={users !== null} repairing={repairing} onRepair={(kind) => {
          if (!isExtRepair(kind)) return false;
          setRepair(kind);
          return true;
        }} />
      </div>
      <RepairPanel sessionId={session.sessionId} healthy={verdict.healthy} account={session.userId} host={hostOf(session.homeserver) ?? session.homeserver} writable={session.writable}
        devices={report.devices.map((d) => ({ deviceId: d.deviceId, displayName: d.displayName, signed: d.crossSigned === 'valid',
          signable: d.signable, crossSigned: d.crossSigned, thisDevice: d.isThisDevice }))} verifiedUsers={users && users.users.filter((u) => u.state === 'verified').map((u) => u.userId)} requested={repair} requestedUser={verifyUser} onRequestHandled={() => setRepair(null)}
        setsUpStorage={report.problems.some((p) => p.repair === 'create-secret-storage')}
        onRunning={setRepairing}
        onFinished={() => { void load().finally(() => setRepairing(false)); void loadUsers(typedUsers); }} />
      {error && <p class="error" role="alert" data-testid="status-error">{error}</p>}
      <div class="row toolbar">
        <button type="button" onClick={() => { void load(); void loadUsers(typedUsers); }} disabled={busy} data-testid="status-refresh">{busy ? t('reading') : t('reread')}</button>
        <CopyButton label={t('diagnosticCopyLabel')} value={diagnostic} />
        <span class="muted">{t('diagnosticReadIn', status.elapsedMs)}</span>
      </div>
      <UsersSection users={users} error={usersError} busy={usersBusy}
        onVerify={(id) => { setVerifyUser(id); setRepair('verify-user'); }} onRepair={(kind) => setRepair(kind)}
        onAdd={(id) => void loadUsers(typedUsers.includes(id) ? typedUsers : [...typedUsers, id].slice(-100))} />
      <IdentityTable identity={report.identity} keysQuery={keysQuery} userId={report.userId} />
      <RawJson label="keys/query" value={keysQuery} testId="raw-keys-query" />
      <DevicesTable devices={report.devices} showAll={showAllDevices} onShowAll={() => setShowAllDevices(true)} keysQuery={keysQuery} userId={report.userId} />
      <SecretStorageTable ss={report.secretStorage} raw={raw} />
      <SecretKeyForm busy={busy} onCheck={(secret) => void load(secret)} />
      <RawJson label={t('secretStorageAccountData')} value={() => ({ defaultKey: raw.defaultKey, keys: raw.keyDescriptions, secrets: raw.secrets })} testId="raw-secret-storage" />
      <BackupTable backup={report.backup} />
      <RawJson label="room_keys/version" value={() => raw.backup} testId="raw-backup" />
    </div>
  );
}
