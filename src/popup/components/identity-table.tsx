import { visible } from '../visible-text.ts';
import type { CrossSigningKeyReport, IdentityReport } from '../../core/inspect/report-types.ts';
import { KeyText, SigBadge } from './key-text.tsx';
import { ownPath, RawToggle } from './raw-toggle.tsx';

const ROLE: Record<string, string> = { master: 'Master', self_signing: 'Self-signing', user_signing: 'User-signing' };
const SECTION: Record<string, string> = { master: 'master_keys', self_signing: 'self_signing_keys', user_signing: 'user_signing_keys' };

function Row({ k, keysQuery, userId }: { k: CrossSigningKeyReport; keysQuery: unknown; userId: string }) {
  return (
    <tr data-testid={`key-${k.role}`} data-status={k.status}>
      <th scope="row">{ROLE[k.role]}</th>
      <td>{k.status === 'missing' ? <span class="bad-text">✗ not published</span> : <KeyText value={k.publicKey} label={`${ROLE[k.role]} key`} />}</td>
      <td>{k.role === 'master' ? <span class="muted">—</span> : <SigBadge result={k.signatureByMaster} testId={`key-${k.role}-by-master`} />}</td>
      <td>
        {k.shapeProblems.length ? <span class="bad-text">{k.shapeProblems.join('; ')}</span> : k.status === 'ok' ? <span class="good-text">✓ well-formed</span> : ''}
        {k.status !== 'missing' && <RawToggle label={`${ROLE[k.role]} key`} value={() => ownPath(keysQuery, SECTION[k.role]!, userId)} testId={`key-${k.role}-raw`} />}
      </td>
    </tr>
  );
}

export function IdentityTable({ identity, keysQuery, userId }: { identity: IdentityReport; keysQuery: unknown; userId: string }) {
  return (
    <section aria-label="Cross-signing keys">
      <h2>Cross-signing keys</h2>
      <table>
        <thead><tr><th>Key</th><th>Public key</th><th>Signed by master</th><th>Shape</th></tr></thead>
        <tbody>
          <Row k={identity.master} keysQuery={keysQuery} userId={userId} />
          <Row k={identity.selfSigning} keysQuery={keysQuery} userId={userId} />
          <Row k={identity.userSigning} keysQuery={keysQuery} userId={userId} />
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
    </section>
  );
}
