import type { CrossSigningKeyReport, IdentityReport } from '../../core/inspect/report-types.ts';
import { KeyText, SigBadge } from './key-text.tsx';

const ROLE: Record<string, string> = { master: 'Master', self_signing: 'Self-signing', user_signing: 'User-signing' };

function Row({ k }: { k: CrossSigningKeyReport }) {
  return (
    <tr data-testid={`key-${k.role}`} data-status={k.status}>
      <th scope="row">{ROLE[k.role]}</th>
      <td>{k.status === 'missing' ? <span class="bad-text">✗ not published</span> : <KeyText value={k.publicKey} label={`${ROLE[k.role]} key`} />}</td>
      <td>{k.role === 'master' ? <span class="muted">—</span> : <SigBadge result={k.signatureByMaster} testId={`key-${k.role}-by-master`} />}</td>
      <td>{k.shapeProblems.length ? <span class="bad-text">{k.shapeProblems.join('; ')}</span> : k.status === 'ok' ? <span class="good-text">✓ well-formed</span> : ''}</td>
    </tr>
  );
}

export function IdentityTable({ identity }: { identity: IdentityReport }) {
  return (
    <section aria-label="Cross-signing keys">
      <h2>Cross-signing keys</h2>
      <table>
        <thead><tr><th>Key</th><th>Public key</th><th>Signed by master</th><th>Shape</th></tr></thead>
        <tbody>
          <Row k={identity.master} />
          <Row k={identity.selfSigning} />
          <Row k={identity.userSigning} />
        </tbody>
      </table>
      {identity.master.deviceSignatures.length > 0 && (
        <p class="muted">
          Master signed by device{identity.master.deviceSignatures.length > 1 ? 's' : ''}:{' '}
          {identity.master.deviceSignatures.map((s) => (
            <span key={s.deviceId} class="mono">{s.deviceId} <SigBadge result={s.result} /> </span>
          ))}
        </p>
      )}
    </section>
  );
}
