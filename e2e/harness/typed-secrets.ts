// Secrets a test types into the extension UI are registered with the leak watch as they are typed,
// so a flow that types a value no fixture created (a wrong password, a malformed recovery key) is
// still checked, without each test having to remember to register it.
import type { UiPage } from './ui-page.ts';
import { registerSecret, type SecretKind } from './secrets-registry.ts';

/** The kind of secret a field takes, from its data-testid; undefined for non-secret fields. */
export function typedSecretKind(testId: string): SecretKind | undefined {
  // An export file's passphrase never goes to any server (unlike the account password): watched like a recovery key.
  if (/export-passphrase/.test(testId)) return 'recovery-key';
  if (/password|passphrase/.test(testId)) return 'password';
  if (/recovery|secret-key|source-key/.test(testId)) return 'recovery-key';
  if (/token/.test(testId)) return 'access-token';
  return undefined;
}

/** The page, with fill() registering what it types into secret fields. */
export function watchTyping(page: UiPage): UiPage {
  // The manual form names the token's homeserver in the field before it.
  let homeserver: string | undefined;
  return {
    ...page,
    async fill(testId, value) {
      if (testId === 'manual-homeserver') homeserver = URL.canParse(value) ? value : undefined;
      const kind = typedSecretKind(testId);
      if (kind) registerSecret(kind, value, `typed into ${testId}`, kind === 'access-token' ? homeserver : undefined);
      await page.fill(testId, value);
    },
  };
}
