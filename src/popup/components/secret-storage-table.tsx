import type { SecretStorageReport } from '../../core/inspect/report-types.ts';
import type { StatusView } from '../../ext/protocol.ts';
import { KeyText } from './key-text.tsx';
import { RawToggle } from './raw-toggle.tsx';
import { t, type MessageId } from '../i18n.ts';

const CHECK_WORDS: Readonly<Record<NonNullable<SecretStorageReport['keyCheck']>, MessageId>> = {
  ok: 'check_ok',
  'wrong-key': 'check_wrong_key',
  'no-check-data': 'check_no_check_data',
  'proven-by-secret': 'check_proven_by_secret',
  'no-description': 'check_no_description',
};

export function SecretStorageTable({ ss, raw }: { ss: SecretStorageReport; raw: StatusView['raw'] }) {
  return (
    <section aria-label={t('secretStorage')}>
      <h2>{t('secretStorage')}</h2>
      <dl>
        <dt>{t('defaultKey')}</dt>
        <dd data-testid="ss-default-key">{ss.defaultKeyId ? <KeyText value={ss.defaultKeyId} label={t('defaultKeyId')} /> : <span class="bad-text">{t('noneBad')}</span>}</dd>
        {ss.keys.map((k) => (
          <>
            <dt key={`t${k.keyId}`}>{t('ssKey')} {k.isDefault ? t('defaultParen') : ''}</dt>
            <dd key={`d${k.keyId}`} data-testid="ss-key" data-key-id={k.keyId}>
              <code class="mono">{k.keyId}</code> — {k.status !== 'found' ? <span class="bad-text">{k.status}</span> : (
                <>
                  {k.algorithm}{k.supported ? '' : t('unsupportedParen')}
                  {k.passphrase ? t('passphraseInfo', k.passphrase.algorithm, k.passphrase.iterations, k.passphrase.bits) : t('recoveryKeyOnly')}
                  {k.hasKeyCheck ? '' : t('noKeyCheck')}
                </>
              )}
              <RawToggle label={t('keyNamed', k.keyId)} value={() => raw.keyDescriptions.find((r) => r.keyId === k.keyId)?.read} testId="ss-key-raw" />
            </dd>
          </>
        ))}
        {ss.keyCheck && (
          <>
            <dt>{t('keyCheck')}</dt>
            <dd data-testid="ss-key-check" data-result={ss.keyCheck} class={ss.keyCheck === 'ok' || ss.keyCheck === 'proven-by-secret' ? 'good-text' : 'bad-text'}>{t(CHECK_WORDS[ss.keyCheck])}</dd>
          </>
        )}
      </dl>
      <table>
        <thead><tr><th>{t('colSecret')}</th><th>{t('colEncryptedUnder')}</th><th>{t('colDefaultKey')}</th>{ss.keyCheck && <th>{t('colMatchesPublished')}</th>}</tr></thead>
        <tbody>
          {ss.secrets.map((s) => (
            <tr key={s.name} data-testid="ss-secret" data-name={s.name} data-present={String(s.present)}>
              <td class="mono">{s.name}<RawToggle label={s.name} value={() => raw.secrets.find((r) => r.name === s.name)?.read} testId="ss-secret-raw" /></td>
              <td>{s.present ? s.keyIds.map((id) => <code key={id} class="mono">{id} </code>) : <span class="bad-text">{t('notStored')}</span>}{s.unreadable && <span class="bad-text"> {s.unreadable}</span>}</td>
              <td>{s.present ? (s.encryptedUnderDefault ? <span class="good-text">{t('yesGood')}</span> : <span class="bad-text">{t('noBad')}</span>) : '—'}</td>
              {ss.keyCheck && (
                <td data-testid="ss-secret-match" data-result={String(s.check?.matchesPublished ?? null)}>
                  {!s.check ? '—' : !s.check.decrypted ? <span class="bad-text">{t('badDetail', s.check.error ?? t('doesNotDecrypt'))}</span>
                    : s.check.matchesPublished === true ? <span class="good-text">{t('matchesGood')}</span>
                    : s.check.matchesPublished === false ? <span class="bad-text">{t('differs', s.check.derivedPublicKey ?? '')}</span>
                    : <span class="muted">{t('decryptsNothingToCompare')}</span>}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
