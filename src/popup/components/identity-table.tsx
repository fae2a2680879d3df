import { visible } from '../visible-text.ts';
import type { CrossSigningKeyReport, IdentityReport } from '../../core/inspect/report-types.ts';
import { ROLE, ROLES, type KeyRole } from '../../core/roles.ts';
import { KeyText, SigBadge } from './key-text.tsx';
import { ownPath, RawToggle } from './raw-toggle.tsx';
import { t, tp, type MessageId } from '../i18n.ts';
import { roleLabel } from '../words.ts';

/** Each key's name in the table's first column. */
const ROLE_NAME_IDS: Readonly<Record<KeyRole, MessageId>> = { master: 'roleName_master', selfSigning: 'roleName_selfSigning', userSigning: 'roleName_userSigning' };

function Row({ role, k, keysQuery, userId }: { role: KeyRole; k: CrossSigningKeyReport; keysQuery: () => Promise<unknown>; userId: string }) {
  const label = roleLabel(role);
  return (
    <tr data-testid={`key-${k.role}`} data-status={k.status}>
      <th scope="row">{t(ROLE_NAME_IDS[role])}</th>
      <td>{k.status === 'missing' ? <span class="bad-text">{t('notPublished')}</span> : <KeyText value={k.publicKey} label={label} />}</td>
      <td>{k.role === 'master' ? <span class="muted">—</span> : <SigBadge result={k.signatureByMaster} testId={`key-${k.role}-by-master`} />}</td>
      <td>
        {k.shapeProblems.length ? <span class="bad-text">{k.shapeProblems.join('; ')}</span> : k.status === 'ok' ? <span class="good-text">{t('wellFormed')}</span> : ''}
        {k.status !== 'missing' && <RawToggle label={label} value={async () => ownPath(await keysQuery(), ROLE[role].querySection, userId)} testId={`key-${k.role}-raw`} />}
      </td>
    </tr>
  );
}

export function IdentityTable({ identity, keysQuery, userId }: { identity: IdentityReport; keysQuery: () => Promise<unknown>; userId: string }) {
  return (
    <section aria-label={t('crossSigningKeys')}>
      <h2>{t('crossSigningKeys')}</h2>
      <table>
        <thead><tr><th>{t('colKey')}</th><th>{t('publicKey')}</th><th>{t('colSignedByMaster')}</th><th>{t('colShape')}</th></tr></thead>
        <tbody>
          {ROLES.map((role) => <Row key={role} role={role} k={identity[role]} keysQuery={keysQuery} userId={userId} />)}
        </tbody>
      </table>
      {identity.master.deviceSignatures.length > 0 && (
        <p class="muted">
          {tp('masterSignedBy', identity.master.deviceSignatures.length)}{' '}
          {identity.master.deviceSignatures.map((s) => (
            <span key={s.deviceId} class="mono">{visible(s.deviceId)} <SigBadge result={s.result} /> </span>
          ))}
        </p>
      )}
      {identity.master.status !== 'missing' && !identity.master.deviceSignatures.some((s) => s.result === 'valid') && (
        <p class="muted" data-testid="note-master-unsigned">
          {t('noteMasterUnsigned')}
        </p>
      )}
    </section>
  );
}
