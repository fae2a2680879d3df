import type { SecretStorageReport } from '../../core/inspect/report-types.ts';
import type { StatusView } from '../../ext/protocol.ts';
import { KeyText } from './key-text.tsx';
import { RawToggle } from './raw-toggle.tsx';

const CHECK_WORDS: Record<string, string> = {
  ok: '✓ the key is correct',
  'wrong-key': '✗ wrong recovery key or passphrase',
  'no-check-data': '? unproven: the key description has no key check and no secret decrypts with this key (nothing is stored under it)',
  'proven-by-secret': '✓ the key decrypts a stored secret (its description has no key check)',
  'no-description': '✗ no key description to check against',
};

export function SecretStorageTable({ ss, raw }: { ss: SecretStorageReport; raw: StatusView['raw'] }) {
  return (
    <section aria-label="Secret storage">
      <h2>Secret storage</h2>
      <dl>
        <dt>Default key</dt>
        <dd data-testid="ss-default-key">{ss.defaultKeyId ? <KeyText value={ss.defaultKeyId} label="default key ID" /> : <span class="bad-text">✗ none</span>}</dd>
        {ss.keys.map((k) => (
          <>
            <dt key={`t${k.keyId}`}>Key {k.isDefault ? '(default)' : ''}</dt>
            <dd key={`d${k.keyId}`} data-testid="ss-key" data-key-id={k.keyId}>
              <code class="mono">{k.keyId}</code> — {k.status !== 'found' ? <span class="bad-text">{k.status}</span> : (
                <>
                  {k.algorithm}{k.supported ? '' : ' (unsupported)'}
                  {k.passphrase ? `, passphrase ${k.passphrase.algorithm} ×${k.passphrase.iterations} (${k.passphrase.bits} bits)` : ', recovery key only'}
                  {k.hasKeyCheck ? '' : ', no key check'}
                </>
              )}
              <RawToggle label={`key ${k.keyId}`} value={() => raw.keyDescriptions.find((r) => r.keyId === k.keyId)?.read} testId="ss-key-raw" />
            </dd>
          </>
        ))}
        {ss.keyCheck && (
          <>
            <dt>Key check</dt>
            <dd data-testid="ss-key-check" data-result={ss.keyCheck} class={ss.keyCheck === 'ok' || ss.keyCheck === 'proven-by-secret' ? 'good-text' : 'bad-text'}>{CHECK_WORDS[ss.keyCheck]}</dd>
          </>
        )}
      </dl>
      <table>
        <thead><tr><th>Secret</th><th>Encrypted under</th><th>Default key?</th>{ss.keyCheck && <th>Matches published key</th>}</tr></thead>
        <tbody>
          {ss.secrets.map((s) => (
            <tr key={s.name} data-testid="ss-secret" data-name={s.name} data-present={String(s.present)}>
              <td class="mono">{s.name}<RawToggle label={s.name} value={() => raw.secrets.find((r) => r.name === s.name)?.read} testId="ss-secret-raw" /></td>
              <td>{s.present ? s.keyIds.map((id) => <code key={id} class="mono">{id} </code>) : <span class="bad-text">✗ not stored</span>}{s.unreadable && <span class="bad-text"> {s.unreadable}</span>}</td>
              <td>{s.present ? (s.encryptedUnderDefault ? <span class="good-text">✓ yes</span> : <span class="bad-text">✗ no</span>) : '—'}</td>
              {ss.keyCheck && (
                <td data-testid="ss-secret-match" data-result={String(s.check?.matchesPublished ?? null)}>
                  {!s.check ? '—' : !s.check.decrypted ? <span class="bad-text">✗ {s.check.error ?? 'does not decrypt'}</span>
                    : s.check.matchesPublished === true ? <span class="good-text">✓ matches</span>
                    : s.check.matchesPublished === false ? <span class="bad-text">✗ differs ({s.check.derivedPublicKey})</span>
                    : <span class="muted">decrypts; nothing to compare</span>}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
