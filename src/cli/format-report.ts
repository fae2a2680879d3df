/**
 * Human-readable text for `xsign-doctor status`: dense sections (identity, devices, secret
 * storage, backup, verdict). Every line goes through {@link terminalSafe}, because display names,
 * device and key IDs come from the server and could carry terminal escape sequences.
 */
import { causeOf, groupCauses, ROLE, ROLES, type CrossSigningKeyReport, type Report, type VerdictProblem } from '../core/index.ts';
import { terminalSafe } from './terminal-safe.ts';

/** Devices listed one by one before the rest are summarised. */
const MAX_DEVICES = 50;
/** Problems of one code listed one by one before the rest are summarised. */
const MAX_PER_CODE = 8;

const OK = '✓';
const BAD = '✗';
const WARN = '!';

const mark = (good: boolean | null): string => (good === null ? WARN : good ? OK : BAD);
const show = (text: string | null | undefined): string => (text === null || text === undefined ? '—' : text);

function keyLine(label: string, k: CrossSigningKeyReport): string {
  const status = k.status === 'ok' ? 'ok' : k.status;
  let line = `  ${mark(k.status === 'ok')} ${label.padEnd(13)} ${status.padEnd(9)} ${show(k.publicKey)}`;
  if (k.signatureByMaster !== 'n/a') line += `  master signature: ${k.signatureByMaster}`;
  return line;
}

function identity(r: Report): string[] {
  const { master } = r.identity;
  const lines = ['IDENTITY', ...ROLES.map((role) => keyLine(ROLE[role].name, r.identity[role]))];
  for (const role of ROLES) {
    for (const p of r.identity[role].shapeProblems) lines.push(`      ${r.identity[role].role}: ${p}`);
  }
  if (master.deviceSignatures.length > 0) {
    lines.push(`    master signed by: ${master.deviceSignatures.map((s) => `${s.deviceId} (${s.result})`).join(', ')}`);
  }
  return lines;
}

function devices(r: Report): string[] {
  const lines = [`DEVICES (${r.devices.length})`];
  if (r.devices.length === 0) lines.push('  none with keys');
  for (const d of r.devices.slice(0, MAX_DEVICES)) {
    const good = d.signable && d.crossSigned === 'valid';
    const name = d.displayName === null ? '' : ` ${JSON.stringify(d.displayName)}`;
    const me = d.isThisDevice ? ' [this device]' : '';
    lines.push(`  ${mark(good)} ${d.deviceId}${me}${name}`);
    lines.push(`      self-signature: ${d.selfSignature}   cross-signed: ${d.crossSigned}   ed25519: ${show(d.ed25519)}`);
  }
  if (r.devices.length > MAX_DEVICES) lines.push(`  … and ${r.devices.length - MAX_DEVICES} more (see --json)`);
  return lines;
}

function secretStorage(r: Report): string[] {
  const s = r.secretStorage;
  const lines = ['SECRET STORAGE', `  default key: ${show(s.defaultKeyId)}`];
  for (const k of s.keys) {
    const bits = [k.status, k.algorithm ?? 'no algorithm', k.hasKeyCheck ? 'has key check' : 'no key check'];
    if (k.name !== undefined) bits.push(`name ${JSON.stringify(k.name)}`);
    if (k.passphrase) bits.push(`passphrase ${k.passphrase.algorithm}, ${k.passphrase.iterations} iterations`);
    lines.push(`  key ${k.keyId}${k.isDefault ? ' [default]' : ''}: ${bits.join(', ')}`);
  }
  if (s.keyCheck !== undefined) {
    lines.push(`  ${mark(s.keyCheck === 'ok' || s.keyCheck === 'proven-by-secret' ? true : s.keyCheck === 'wrong-key' ? false : null)} given key (for ${show(s.givenKeyId)}): ${s.keyCheck}`);
  }
  for (const secret of s.secrets) {
    if (!secret.present) {
      lines.push(`  ${mark(secret.name === 'm.megolm_backup.v1' && r.backup === null ? true : false)} ${secret.name.padEnd(29)} ${secret.unreadable ? `unreadable: ${secret.unreadable}` : 'absent'}`);
      continue;
    }
    const under = `under ${secret.keyIds.join(', ')}${secret.encryptedUnderDefault ? ' (default)' : ''}`;
    let line = `  ${mark(secret.encryptedUnderDefault && secret.check?.matchesPublished !== false)} ${secret.name.padEnd(29)} ${under}`;
    const c = secret.check;
    if (c) line += c.decrypted ? `; decrypts, matches published key: ${c.matchesPublished === null ? 'n/a' : c.matchesPublished ? 'yes' : 'NO'}` : `; not decrypted (${c.error ?? 'error'})`;
    lines.push(line);
  }
  return lines;
}

function backup(r: Report): string[] {
  const b = r.backup;
  if (b === null) return ['KEY BACKUP', '  none'];
  const signatures = b.signatures.map((s) => `${s.signer} ${s.signer === 'device' ? s.deviceId : s.keyId} (${s.result})`).join(', ');
  const matches = b.matchesSecretStorage === null ? 'not checked' : b.matchesSecretStorage ? 'yes' : 'NO';
  return [
    'KEY BACKUP',
    `  ${mark(b.trusted)} version ${b.version}, ${b.count} keys, ${b.algorithm}`,
    `      public key: ${b.publicKey}`,
    `      signed by: ${signatures || 'nobody'}`,
    `      trusted: ${b.trusted ? (b.trustedByMaster ? 'yes, by the master key' : 'yes, by a cross-signed device') : 'NO'}   key in secret storage matches: ${matches}`,
  ];
}

/** Subjects named on a cause's line before the rest are counted. */
const MAX_SUBJECTS = 12;

/** The verdict by root cause: one headline per cause, its subjects, its repair, then its problems (capped per code). */
function verdict(problems: readonly VerdictProblem[]): string[] {
  if (problems.length === 0) return ['VERDICT', `  ${OK} Healthy: no problems found.`];
  const causes = groupCauses(problems);
  const lines = ['VERDICT', `  ${BAD} ${problems.length} problem${problems.length === 1 ? '' : 's'} found, ${causes.length} cause${causes.length === 1 ? '' : 's'}:`];
  for (const cause of causes) {
    lines.push(`  ${BAD} ${cause.headline}${cause.repair ? `  → ${cause.repair}` : ''}`);
    if (cause.subjects.length > 0) {
      const more = cause.subjects.length > MAX_SUBJECTS ? ` … and ${cause.subjects.length - MAX_SUBJECTS} more` : '';
      lines.push(`      subjects: ${cause.subjects.slice(0, MAX_SUBJECTS).join(', ')}${more}`);
    }
    const seen = new Map<string, number>();
    for (const p of problems) {
      if (causeOf(p) !== cause.id) continue;
      const n = (seen.get(p.code) ?? 0) + 1;
      seen.set(p.code, n);
      if (n > MAX_PER_CODE) continue;
      lines.push(`      - [${p.code}] ${p.message}`);
      if (p.repair) lines.push(`          repair: ${p.repair}`);
    }
    for (const [code, n] of seen) if (n > MAX_PER_CODE) lines.push(`      … and ${n - MAX_PER_CODE} more [${code}] (see --json)`);
  }
  if (causes.some((c) => c.repair !== undefined)) lines.push('', '  xsign-doctor fix   plans one repair for every cause above that has one (--dry-run to preview)');
  // docs/design.md#fix-no-sign-out: said where the person reads the suggestion, not only in the plan.
  if (causes.some((c) => c.repair === 'sign-out-device')) lines.push('                     never signs sessions out: run sign-out-device for the sessions you choose');
  return lines;
}

function people(problems: readonly VerdictProblem[], usersError: string | undefined): string[] {
  if (usersError !== undefined) return ['PEOPLE YOU VERIFIED', `  ${WARN} could not be read (${usersError}); the verdict is the account's alone`];
  const users = problems.filter((p) => p.code.startsWith('users-'));
  return ['PEOPLE YOU VERIFIED', users.length === 0 ? `  ${OK} no problem (\`xsign-doctor users\` lists them)` : `  ${BAD} ${users.length} problem${users.length === 1 ? '' : 's'}, in the verdict (\`xsign-doctor users\` lists them)`];
}

/**
 * The whole human-readable report, one string, terminal-safe.
 * @param problems - The verdict's problems (the account's and the users report's, src/core/users/verdict.ts); default the account's.
 * @param usersError - Why the users report could not be read, when it could not.
 */
export function formatReport(r: Report, homeserver: string, problems: readonly VerdictProblem[] = r.problems, usersError?: string): string {
  const header = [`${r.userId} on ${homeserver}${r.deviceId ? `, this device ${r.deviceId}` : ''}`];
  const sections = [header, identity(r), devices(r), secretStorage(r), backup(r), people(problems, usersError), verdict(problems)];
  return sections.map((lines) => lines.map(terminalSafe).join('\n')).join('\n\n');
}
