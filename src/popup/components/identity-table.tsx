import { visible } from '../visible-text.ts';
import type { CrossSigningKeyReport, IdentityReport } from '../../core/inspect/report-types.ts';
import { capitalized, ROLE, ROLES, type KeyRole } from '../../core/roles.ts';
import { KeyText, SigBadge } from './key-text.tsx';
import { ownPath, RawToggle } from './raw-toggle.tsx';

function Row({ role, k, keysQuery, userId }: { role: KeyRole; k: CrossSigningKeyReport; keysQuery: () => Promise<unknown>; userId: string }) {
  const label = capitalized(ROLE[role].label);
  return (
    <tr data-testid={`key-${k.role}`} data-status={k.status}>
      <th scope="row">{capitalized(ROLE[role].name)}</th>
      <td>{k.status === 'missing' ? <span class="bad-text">✗ not published</span> : <KeyText value={k.publicKey} label={label} />}</td>
      <td>{k.role === 'master' ? <span class="muted">—</span> : <SigBadge result={k.signatureByMaster} testId={`key-${k.role}-by-master`} />}</td>
      <td>
        {k.shapeProblems.length ? <span class="bad-text">{k.shapeProblems.join('; ')}</span> : k.status === 'ok' ? <span class="good-text">✓ well-formed</span> : ''}
        {k.status !== 'missing' && <RawToggle label={label} value={async () => ownPath(await keysQuery(), ROLE[role].querySection, userId)} testId={`key-${k.role}-raw`} />}
      </td>
    </tr>
  );
}

export function IdentityTable({ identity, keysQuery, userId }: { identity: IdentityReport; keysQuery: () => Promise<unknown>; userId: string }) {
  return (
    <section aria-label="Cross-signing keys">
      <h2>Cross-signing keys</h2>
      <table>
        <thead><tr><th>Key</th><th>Public key</th><th>Signed by master</th><th>Shape</th></tr></thead>
        <tbody>
          {ROLES.map((role) => <Row key={role} role={role} k={identity[role]} keysQuery={keysQuery} userId={userId} />)}
        </tbody>
      </table>
      {identity.master.deviceSignatures.length > 0 && (
        <p class="muted">
          Master signed by device{identity.master.deviceSignatures.length > 1 ? 's' : ''}:{' '}
          {identity.master.deviceSignatures.map((s) => (
            <span key={s.deviceId} class="mono">{visible(s.deviceId)} <SigBadge result={s.result} /> </span>
          ))}
        </p>
      )}
      {identity.master.status !== 'missing' && !identity.master.deviceSignatures.some((s) => s.result === 'valid') && (
        <p class="muted" data-testid="note-master-unsigned">
          Note: none of your devices has signed the current master key. This is not a problem: your devices and the people
          you verified are trusted through the self-signing and user-signing keys. A device adds this signature when it
          is verified with this identity.
        </p>
      )}
    </section>
  );
}
