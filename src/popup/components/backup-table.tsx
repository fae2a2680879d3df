import { visible } from '../visible-text.ts';
import type { BackupReport } from '../../core/inspect/report-types.ts';
import { KeyText, SigBadge } from './key-text.tsx';
import { t } from '../i18n.ts';

export function BackupTable({ backup }: { backup: BackupReport | null }) {
  return (
    <section aria-label={t('keyBackup')}>
      <h2>{t('keyBackup')}</h2>
      {!backup ? <p class="muted" data-testid="backup-none">{t('noBackup')}</p> : (
        <dl data-testid="backup" data-trusted={String(backup.trusted)}>
          <dt>{t('backupVersion')}</dt><dd class="mono">{backup.version}</dd>
          <dt>{t('algorithm')}</dt><dd class="mono">{backup.algorithm}</dd>
          <dt>{t('keysStored')}</dt><dd>{backup.count}</dd>
          <dt>{t('publicKey')}</dt><dd><KeyText value={backup.publicKey} label={t('backupPublicKey')} /></dd>
          <dt>{t('signatures')}</dt>
          <dd>
            {backup.signatures.length === 0 ? <span class="bad-text">{t('noneBad')}</span> : backup.signatures.map((s) => (
              <div key={s.keyId}>
                {s.signer === 'master' ? t('signerMaster') : s.signer === 'device' ? t('deviceNamed', visible(s.deviceId ?? '')) : t('signerUnknown')}{' '}
                <code class="mono">{visible(s.keyId)}</code> <SigBadge result={s.result} />
              </div>
            ))}
          </dd>
          <dt>{t('trusted')}</dt>
          <dd class={backup.trusted ? 'good-text' : 'bad-text'}>{backup.trusted ? t('yesGood') : t('noBad')}{backup.trustedByMaster ? t('signedByMasterParen') : ''}</dd>
          <dt>{t('matchesSecretStorage')}</dt>
          <dd data-testid="backup-matches">{backup.matchesSecretStorage === null ? <span class="muted">{t('unknownEnterRecoveryKey')}</span> : backup.matchesSecretStorage ? <span class="good-text">{t('yesGood')}</span> : <span class="bad-text">{t('noBad')}</span>}</dd>
        </dl>
      )}
    </section>
  );
}
