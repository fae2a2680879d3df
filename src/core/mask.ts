/**
 * Show enough of a secret to recognise it, never enough to use it: the popup DOM, logs and
 * diagnostic reports only ever see this form (e.g. "syt_…9Qa2").
 */
export function maskSecret(secret: string): string {
  if (secret.length <= 12) return '••••';
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}
