import { visible } from '../visible-text.ts';
import type { BackupReport } from '../../core/inspect/report-types.ts';
import { KeyText, SigBadge } from './key-text.tsx';

export function BackupTable({ backup }: { backup: BackupReport | null }) {
  return (
    <section aria-label="Key backup">
      <h2>Key backup</h2>
      {!backup ? <p class="muted" data-testid="backup-none">No key backup on the server.</p> : (
        <dl data-testid="backup" data-trusted={String(backup.trusted)}>
          <dt>Version</dt><dd class="mono">{backup.version}</dd>
          <dt>Algorithm</dt><dd class="mono">{backup.algorithm}</dd>
          <dt>Keys stored</dt><dd>{backup.count}</dd>
          <dt>Public key</dt><dd><KeyText value={backup.publicKey} label="backup public key" /></dd>
          <dt>Signatures</dt>
          <dd>
            {backup.signatures.length === 0 ? <span class="bad-text">✗ none</span> : backup.signatures.map((s) => (
              <div key={s.keyId}>
                {s.signer === 'master' ? 'master' : s.signer === 'device' ? `device ${visible(s.deviceId ?? '')}` : 'unknown key'}{' '}
                <code class="mono">{visible(s.keyId)}</code> <SigBadge result={s.result} />
              </div>
            ))}
          </dd>
          <dt>Trusted</dt>
          <dd class={backup.trusted ? 'good-text' : 'bad-text'}>{backup.trusted ? '✓ yes' : '✗ no'}{backup.trustedByMaster ? ' (signed by the master key)' : ''}</dd>
          <dt>Matches secret storage</dt>
          <dd data-testid="backup-matches">{backup.matchesSecretStorage === null ? <span class="muted">unknown (enter the recovery key)</span> : backup.matchesSecretStorage ? <span class="good-text">✓ yes</span> : <span class="bad-text">✗ no</span>}</dd>
        </dl>
      )}
    </section>
  );
}
