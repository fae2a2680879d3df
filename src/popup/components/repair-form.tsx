import { errorText } from '../error-text.ts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { send } from '../../ext/messaging.ts';
import type { Protocol, RepairFlowView } from '../../ext/protocol.ts';
import type { RepairKind } from '../../core/repair/repair-kinds.ts';
import { exportPassphraseProblem, MIN_EXPORT_PASSPHRASE_LENGTH } from '../../core/repair/export-passphrase.ts';
import { ROLES } from '../../core/roles.ts';
import { sayAgain } from '../said-again.ts';
import { t, type MessageId } from '../i18n.ts';
import { roleLabel } from '../words.ts';
import { visible } from '../visible-text.ts';
import { DevicePicker, type PickableDevice } from './device-picker.tsx';
import { repairLabel } from './repair-labels.ts';

/** What each repair reads and does, under its heading. */
const HINTS: Readonly<Record<RepairKind, MessageId>> = {
  'sign-devices': 'hint_sign_devices',
  'reset-cross-signing': 'hint_reset_cross_signing',
  'regenerate-subkeys': 'hint_regenerate_subkeys',
  'resign-backup': 'hint_resign_backup',
  'store-secrets': 'hint_store_secrets',
  'upload-keys': 'hint_upload_keys',
  'manual-upload': 'hint_manual_upload',
  'verify-user': 'hint_verify_user',
  'reverify-users': 'hint_reverify_users',
  'create-secret-storage': 'hint_create_secret_storage',
  'set-default-key': 'hint_set_default_key',
  'reset-backup': 'hint_reset_backup',
  'sign-out-device': 'hint_sign_out_device',
  fix: 'hint_fix',
};

/** Repairs that sign sessions, so the form offers the session list (reset and regenerate sign them with the new key in the same plan). */
const SIGNS_SESSIONS: readonly RepairKind[] = ['sign-devices', 'reset-cross-signing', 'regenerate-subkeys', 'fix'];
/** Repairs that may make new keys: they offer the export file and keeping people verified. */
const NEW_KEYS: readonly RepairKind[] = ['reset-cross-signing', 'regenerate-subkeys', 'fix'];

/** `signable`: the report's DeviceReport.signable, decided by the inspector. */
export type DeviceChoice = PickableDevice & { thisDevice?: boolean };
type PreviewRequest = Protocol['repairPreview']['req'];
type PreviewResponse = Protocol['repairPreview']['res'];

const value = (el: HTMLInputElement | HTMLTextAreaElement | null): string => el?.value.trim() ?? '';

/**
 * The form that asks for what a repair needs and requests its preview. Secrets typed here (the
 * recovery key or passphrase, pasted seeds) go to the background in the one preview message and
 * the fields are cleared; nothing is kept in state.
 */
export function RepairForm({ sessionId, kind, devices, userId, verifiedUsers = null, setsUpStorage = false, onPreview, onClose }: {
  sessionId: string;
  /** keep-verified's checklist: the people my current user-signing key verified; null while the users report is not read. */
  verifiedUsers?: string[] | null;
  /** verify-user: the person, when opened from their row. */
  userId?: string | undefined;
  kind: RepairKind;
  /** fix: one of its parts sets up secret storage (its new passphrase and export file are asked here). */
  setsUpStorage?: boolean;
  devices: DeviceChoice[];
  onPreview: (flow: PreviewResponse) => void;
  onClose: () => void;
}) {
  const [usePassphrase, setUsePassphrase] = useState(false);
  // Ticked at first: sign-devices the unsigned sessions, regenerate the ones signed now, fix every
  // signable one, reset none (this session is always signed by a reset or a new self-signing key).
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(devices.filter((d) => d.signable && (
    kind === 'sign-devices' ? !d.signed : kind === 'regenerate-subkeys' ? d.signed : kind === 'fix')).map((d) => d.deviceId)));
  const [subkeys, setSubkeys] = useState({ selfSigning: true, userSigning: true });
  const [exportKeys, setExportKeys] = useState(false);
  const [exportPlaintext, setExportPlaintext] = useState(false);
  const [keepVerified, setKeepVerified] = useState(false);
  // The people unticked in the checklist (so someone the users report adds later starts ticked).
  const [notKept, setNotKept] = useState<Set<string>>(() => new Set());
  const [compared, setCompared] = useState(false);
  // sign-out-device: by default the sessions whose own keys are not valid (never this one).
  const [leaving, setLeaving] = useState<Set<string>>(() => new Set(devices.filter((d) => !d.signable && d.thisDevice !== true).map((d) => d.deviceId)));
  const [thisSessionToo, setThisSessionToo] = useState(false);
  const newPassInput = useRef<HTMLInputElement>(null);
  const [exportFileText, setExportFileText] = useState<string | null>(null);
  const userIdInput = useRef<HTMLInputElement>(null);
  const masterInput = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyInput = useRef<HTMLInputElement>(null);
  const sourceInput = useRef<HTMLInputElement>(null);
  const exportPassInput = useRef<HTMLInputElement>(null);
  const exportPassAgain = useRef<HTMLInputElement>(null);
  const manual = { master: useRef<HTMLTextAreaElement>(null), selfSigning: useRef<HTMLTextAreaElement>(null), userSigning: useRef<HTMLTextAreaElement>(null) };

  const newStorage = kind === 'create-secret-storage' || (kind === 'fix' && setsUpStorage);

  const submit = async (event: Event) => {
    event.preventDefault();
    const key = value(keyInput.current);
    const req: PreviewRequest = { sessionId, kind };
    if (key) req[usePassphrase ? 'passphrase' : 'recoveryKey'] = key;
    if (kind === 'store-secrets' && value(sourceInput.current)) req.sourceRecoveryKey = value(sourceInput.current);
    if (kind === 'sign-devices') {
      if (chosen.size === 0) return setError(t('chooseOneDevice'));
      req.deviceIds = [...chosen];
    }
    if (kind === 'sign-out-device') {
      if (leaving.size === 0) return setError(t('chooseOneSession'));
      req.deviceIds = [...leaving];
      if (thisSessionToo) req.includingThisSession = true;
    }
    if (newStorage) {
      // Not trimmed: exactly what was typed.
      const passphrase = newPassInput.current?.value ?? '';
      if (passphrase !== '') req.newPassphrase = passphrase;
      if (exportFileText !== null) req.exportFileText = exportFileText;
    }
    // Reset / regenerate / fix: the sessions to sign with the new (or current) self-signing key, in the same plan.
    if (SIGNS_SESSIONS.includes(kind) && kind !== 'sign-devices') req.deviceIds = [...chosen];
    if (kind === 'regenerate-subkeys') {
      const which = (['selfSigning', 'userSigning'] as const).filter((r) => subkeys[r]);
      if (which.length === 0) return setError(t('chooseSubkey'));
      req.subkeys = which;
    }
    if (kind === 'verify-user') {
      // The confirmation step: the person says the key matches what the other person read out.
      if (!compared) return setError(t('compareFirst'));
      req.userId = value(userIdInput.current);
      req.masterKey = value(masterInput.current);
    }
    if (keepVerified && (kind === 'reset-cross-signing' || kind === 'fix' || (kind === 'regenerate-subkeys' && subkeys.userSigning))) {
      // The people ticked, by name; "all" only while the list is not read (or too long to send).
      const kept = verifiedUsers?.filter((u) => !notKept.has(u));
      if (kept !== undefined && kept.length === 0) return setError(t('tickOneKept'));
      if (kept === undefined || (notKept.size === 0 && kept.length > 5000)) req.keepAllVerified = true;
      else req.keepVerified = kept.slice(0, 5000);
    }
    if (kind === 'manual-upload') {
      req.manualKeys = {};
      for (const role of ROLES) {
        const text = value(manual[role].current);
        if (text) req.manualKeys[role] = text;
      }
    }
    if (exportKeys && NEW_KEYS.includes(kind)) {
      req.exportKeys = true;
      if (exportPlaintext) {
        req.exportPlaintext = true;
      } else {
        // Not trimmed: the passphrase is exactly what was typed, as the CLI reads it.
        const passphrase = exportPassInput.current?.value ?? '';
        const weak = exportPassphraseProblem(passphrase, exportPassAgain.current?.value ?? '');
        if (weak !== null) return setError(t('exportFileProblem', sayAgain(weak)));
        req.exportPassphrase = passphrase;
      }
    }
    setBusy(true);
    setError(null);
    try {
      const flow = await send('repairPreview', req);
      setExportFileText(null);
      for (const el of [keyInput.current, sourceInput.current, newPassInput.current, masterInput.current, exportPassInput.current, exportPassAgain.current, ...Object.values(manual).map((r) => r.current)]) if (el) el.value = '';
      onPreview(flow);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form data-testid="repair-form" data-kind={kind} onSubmit={(e) => void submit(e)}>
      <h2>{repairLabel(kind)}</h2>
      <p class="muted">{t(HINTS[kind])}</p>
      {SIGNS_SESSIONS.includes(kind) && (
        <DevicePicker devices={devices} chosen={chosen} onChange={setChosen}
          legend={t(kind === 'sign-devices' ? 'devicesToCrossSign' : 'sessionsToCrossSignInPlan')} />
      )}
      {kind === 'sign-out-device' && (
        <fieldset data-testid="repair-signout-devices">
          <legend>{t('sessionsToSignOut')}</legend>
          {devices.map((d) => (
            <label key={d.deviceId} class="row">
              <input type="checkbox" checked={leaving.has(d.deviceId)} data-testid="repair-signout-device" data-device-id={d.deviceId}
                onChange={() => setLeaving((prev) => { const next = new Set(prev); if (next.has(d.deviceId)) next.delete(d.deviceId); else next.add(d.deviceId); return next; })} />
              <span class="mono">{visible(d.deviceId)}</span> {visible(d.displayName ?? '')}
              {d.thisDevice === true && <strong>{t('thisSessionParen')}</strong>}
              {!d.signable && <span class="error">{t('ownKeysInvalid')}</span>}
            </label>
          ))}
          <label class="row">
            <input type="checkbox" checked={thisSessionToo} onChange={() => setThisSessionToo(!thisSessionToo)} data-testid="repair-this-session" />
            {t('alsoSignOutThis')}
          </label>
        </fieldset>
      )}
      {newStorage && (
        <fieldset data-testid="repair-new-storage" data-export-file={String(exportFileText !== null)}>
          <label class="stack">
            {t('newKeyPassphrase', MIN_EXPORT_PASSPHRASE_LENGTH)}
            <input ref={newPassInput} type="password" autocomplete="off" spellcheck={false} data-testid="repair-new-passphrase" />
          </label>
          <label class="stack">
            {t('exportFileInput')}
            <input type="file" accept=".json,application/json" data-testid="repair-export-file"
              onChange={(e) => { const file = (e.currentTarget as HTMLInputElement).files?.[0]; if (file) void file.text().then(setExportFileText); else setExportFileText(null); }} />
          </label>
          <p class="muted">{t('oldRecoveryKeyNote')}</p>
        </fieldset>
      )}
      {kind === 'regenerate-subkeys' && (
        <fieldset>
          <legend>{t('keysToReplace')}</legend>
          {(['selfSigning', 'userSigning'] as const).map((r) => (
            <label key={r} class="row">
              <input type="checkbox" checked={subkeys[r]} onChange={() => setSubkeys({ ...subkeys, [r]: !subkeys[r] })} data-testid={`repair-subkey-${r}`} />
              {t(r === 'selfSigning' ? 'subkeySelf' : 'subkeyUser')}
            </label>
          ))}
        </fieldset>
      )}
      {kind === 'verify-user' && (
        <fieldset data-testid="verify-user-fields">
          <input ref={userIdInput} defaultValue={userId} autocomplete="off" spellcheck={false} placeholder="@name:server" aria-label={t('theirUserId')} data-testid="verify-user-id" />
          <input ref={masterInput} autocomplete="off" spellcheck={false} class="mono" placeholder={t('theirMasterKeyPlaceholder')} aria-label={t('theirMasterKey')} data-testid="verify-user-master" />
          <label class="row"><input type="checkbox" checked={compared} onChange={() => setCompared(!compared)} data-testid="verify-user-confirm" />{t('itMatches')}</label>
        </fieldset>
      )}
      {NEW_KEYS.includes(kind) && (
        <label class="row">
          <input type="checkbox" checked={keepVerified} onChange={() => setKeepVerified(!keepVerified)} data-testid="repair-keep-verified" />
          {t('keepVerifiedLabel')}
        </label>
      )}
      {keepVerified && NEW_KEYS.includes(kind) && (
        <fieldset data-testid="keep-verified-list" data-loaded={String(verifiedUsers !== null)}>
          <legend>{t('peopleCurrentKeyVerified')}</legend>
          {verifiedUsers === null ? <p class="muted">{t('notReadYetAllKept')}</p> : verifiedUsers.length === 0 ? <p class="muted">{t('noOne')}</p> : (
            <>
              <div class="row">
                <button type="button" data-testid="keep-verified-all" onClick={() => setNotKept(new Set())}>{t('selectAll')}</button>
                <button type="button" data-testid="keep-verified-none" onClick={() => setNotKept(new Set(verifiedUsers))}>{t('selectNone')}</button>
              </div>
              {verifiedUsers.map((u) => (
                <label key={u} class="row">
                  <input type="checkbox" checked={!notKept.has(u)} data-testid="keep-verified-user" data-user-id={u} onChange={() => setNotKept((prev) => {
                    const next = new Set(prev);
                    if (next.has(u)) next.delete(u); else next.add(u);
                    return next;
                  })} />
                  <span class="mono">{visible(u)}</span>
                </label>
              ))}
            </>
          )}
        </fieldset>
      )}
      {kind === 'manual-upload' && ROLES.map((role) => (
        <label key={role} class="stack">
          {roleLabel(role)}
          <textarea ref={manual[role]} rows={3} spellcheck={false} autocomplete="off" class="mono" aria-label={roleLabel(role)} data-testid={`repair-manual-${role}`} />
        </label>
      ))}
      {NEW_KEYS.includes(kind) && (
        <label class="row">
          <input type="checkbox" checked={exportKeys} onChange={() => setExportKeys(!exportKeys)} data-testid="repair-export" />
          {t('alsoExport')}{kind === 'reset-cross-signing' ? t('alsoExportNeeded') : ''}
        </label>
      )}
      {exportKeys && NEW_KEYS.includes(kind) && (
        <fieldset data-testid="export-options">
          <legend>{t('exportFile')}</legend>
          {!exportPlaintext && (
            <>
              <label class="stack">
                {t('exportPassphrase', MIN_EXPORT_PASSPHRASE_LENGTH)}
                <input ref={exportPassInput} type="password" autocomplete="off" spellcheck={false} data-testid="export-passphrase" />
              </label>
              <label class="stack">
                {t('samePassphraseAgain')}
                <input ref={exportPassAgain} type="password" autocomplete="off" spellcheck={false} data-testid="export-passphrase-confirm" />
              </label>
            </>
          )}
          <label class="row">
            <input type="checkbox" checked={exportPlaintext} onChange={() => setExportPlaintext(!exportPlaintext)} data-testid="export-plaintext-warning" />
            {t('saveUnencrypted')}
          </label>
        </fieldset>
      )}
      <div class="row">
        <select aria-label={t('ssKeyKind')} data-testid="repair-key-kind" value={usePassphrase ? 'passphrase' : 'recovery-key'}
          onChange={(e) => setUsePassphrase((e.currentTarget as HTMLSelectElement).value === 'passphrase')}>
          <option value="recovery-key">{t('recoveryKey')}</option>
          <option value="passphrase">{t('passphrase')}</option>
        </select>
        <input ref={keyInput} type="password" autocomplete="off" spellcheck={false} placeholder={t(usePassphrase ? 'passphrase' : 'recoveryKey')}
          aria-label={t(usePassphrase ? 'passphrase' : 'recoveryKey')} data-testid="repair-recovery-key" style="flex:1" />
      </div>
      {kind === 'store-secrets' && (
        <input ref={sourceInput} type="password" autocomplete="off" spellcheck={false} placeholder={t('otherKeyRecoveryPlaceholder')} aria-label={t('otherKeyRecoveryLabel')} data-testid="repair-source-key" />
      )}
      <div class="row action-bar">
        <button type="submit" disabled={busy} data-testid="repair-preview-button">{busy ? t('planning') : t('preview')}</button>
        <button type="button" onClick={onClose}>{t('closePane')}</button>
      </div>
      {error && <p class="error" role="alert" data-testid="repair-error">{error}</p>}
    </form>
  );
}

/** The new recovery key, shown once after the preview: copy, download, and the confirmation that gates Run. */
export function RecoveryKeyOffer({ flow, recoveryKey, saved, onSaved }: { flow: RepairFlowView; recoveryKey: string | null; saved: boolean; onSaved: (v: boolean) => void }) {
  const [href, setHref] = useState<string | null>(null);
  useEffect(() => {
    if (recoveryKey === null) return undefined;
    const url = URL.createObjectURL(new Blob([`${recoveryKey}\n`], { type: 'text/plain' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [recoveryKey]);
  if (recoveryKey === null) {
    return <p class="error" data-testid="recovery-key-lost">{t('recoveryKeyLost')}</p>;
  }
  return (
    <div data-testid="recovery-key-offer">
      <p>{t('newRecoveryKeyShownOnce')}</p>
      <div class="row">
        <code class="mono" data-testid="new-recovery-key">{recoveryKey}</code>
        <button type="button" data-testid="recovery-key-copy" onClick={() => void navigator.clipboard.writeText(recoveryKey)}>{t('copyButton')}</button>
      </div>
      {href !== null && <a href={href} download={`recovery-key-${flow.planId}.txt`} data-testid="recovery-key-download">{t('downloadRecoveryKey')}</a>}
      <label class="row">
        <input type="checkbox" checked={saved} onChange={() => onSaved(!saved)} data-testid="recovery-key-saved" />
        {t('savedRecoveryKey')}
      </label>
    </div>
  );
}

/** The export file offered once after the preview: a download, and the confirmation that gates Run. */
export function ExportOffer({ flow, text, encrypted, saved, onSaved }: { flow: RepairFlowView; text: string | null; encrypted: boolean; saved: boolean; onSaved: (v: boolean) => void }) {
  // A blob URL keeps the private keys out of the DOM; revoked when the offer goes away.
  const [href, setHref] = useState<string | null>(null);
  useEffect(() => {
    if (text === null) return undefined;
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [text]);
  if (text === null) {
    return <p class="error" data-testid="repair-export-lost">{t('exportLost')}</p>;
  }
  if (href === null) return null;
  return (
    <div data-testid="repair-export-offer">
      <p>{t('exportOnlyHere')}</p>
      <a href={href} download={`cross-signing-keys-${flow.planId}.json`} data-testid="repair-export-download" data-encrypted={String(encrypted)}>
        {t(encrypted ? 'downloadEncrypted' : 'downloadUnencrypted')}
      </a>
      {!encrypted && <p class="error">{t('anyoneCanTakeOver')}</p>}
      <label class="row">
        <input type="checkbox" checked={saved} onChange={() => onSaved(!saved)} data-testid="repair-export-saved" />
        {t('savedFile')}
      </label>
    </div>
  );
}
