/**
 * The CLI's help texts: one usage per command (`xsign-doctor <command> --help`) and the global
 * help made of them.
 */
import { REPAIR_COMMANDS, type RepairCommand } from './repair-verbs.ts';

export const VERSION = '0.1.0';

export type Command = 'whoami' | 'status' | 'users' | RepairCommand;
export const COMMANDS: readonly Command[] = ['whoami', 'status', 'users', ...REPAIR_COMMANDS];

export function isCommand(command: string | undefined): command is Command {
  return (COMMANDS as readonly string[]).includes(command ?? '');
}

const TOKEN = '[--token T | --token-file F]';
const KEY = '[--recovery-key K | --recovery-key-file F | --passphrase P | --passphrase-file F]';
const COMMON = `--homeserver URL ${TOKEN}\n    ${KEY}\n    [--password-stdin] [--yes] [--dry-run]`;

const SECRETS = `Secrets: the access token is read from XSIGN_TOKEN, the recovery key from XSIGN_RECOVERY_KEY and
the passphrase from XSIGN_PASSPHRASE when no flag gives them, or from a file with --token-file F,
--recovery-key-file F, --passphrase-file F (F = - reads standard input; one trailing newline is
dropped). The argument forms (--token T, …) work but print a warning: command lines are visible
to other users in process lists.`;

const KEEP = '[--keep-verified all|none|@A:X,@B:Y]';
const KEEP_NOTE = `--keep-verified: after the upload, sign with the new user-signing key the master keys of the people\nyour current one verified (all, none — the default — or those listed); the preview lists them.`;

const STATE_NOTE = `The master keys you are seen to verify (public keys only) are remembered per account, to tell
when someone's identity changed since you verified them, in --state-file F, else XSIGN_STATE_FILE,
else $XDG_STATE_HOME/xsign-doctor/verified-users.json, else ~/.local/state/xsign-doctor/verified-users.json
(mode 0600). status, users and the repairs that verify people read and update it.`;

const EXP_FLAGS = '--export FILE [--export-passphrase-file F | --export-plaintext]';

const REPAIR_NOTES = `Each repair prints the exact requests first (secret ciphertexts and MACs redacted) and asks
before sending, unless --yes; --dry-run prints them and sends nothing. New keys are uploaded only
once they are safe: stored in secret storage (--recovery-key, only when the key is proven: its
description's key check matches, or a secret stored under it decrypts) and/or written to --export FILE (created with mode 0600; an existing file is never
overwritten). The export is encrypted with a passphrase (at least 10 characters), asked twice on
the terminal or read from the first line of --export-passphrase-file F; --export-plaintext writes
it unencrypted instead, after a warning. An encrypted --from-export file asks for its passphrase
the same way. The account password is asked on the terminal when the homeserver wants it, or read
from standard input with --password-stdin, one line per attempt; it is never an argument.
Exit 0: repaired; 1: the repair could not complete (the problems left on the server are listed);
2: usage or connection error.

${STATE_NOTE}`;

/** What each repair does, after its usage line. */
const REPAIR_USAGE: Record<RepairCommand, string> = {
  reset: `xsign-doctor reset ${COMMON}\n    [--devices ID,ID] [--export FILE [--export-passphrase-file F | --export-plaintext]] ${KEEP}\n\nNew master, self-signing and user-signing keys. This session is cross-signed with the new\nself-signing key, and so are the other sessions --devices lists, in the same plan.\n${KEEP_NOTE}`,
  regenerate: `xsign-doctor regenerate ${COMMON}\n    [--self-signing] [--user-signing] [--devices ID,ID]\n    [--export FILE [--export-passphrase-file F | --export-plaintext]] ${KEEP}\n\nNew self-signing and/or user-signing key (default: both) under the master from secret storage.\nA new self-signing key signs this session and the --devices listed (default: the sessions\nvalidly signed now) in the same plan.\n${KEEP_NOTE}`,
  fix: `xsign-doctor fix ${COMMON}\n    [--devices ID,ID] [--export FILE [--export-passphrase-file F | --export-plaintext]] ${KEEP}\n    [--from-export FILE] [--new-passphrase-file F] [--recovery-key-out FILE]\n\nOne plan for the whole diagnosis: the repair of every cause status lists that has one, in order\n(secret storage first, then new keys, the sessions, the backup), with the repairs a reset or a new\nself-signing key does itself folded into it. When it sets up secret storage, the new recovery key\nis shown once (or written to --recovery-key-out) before anything is sent, and the later parts\nstore under it; --from-export / --new-passphrase-file as for setup-secret-storage. Sessions\nwhose keys cannot be trusted are never signed out by fix: run sign-out-device for those. --devices: the sessions to cross-sign (default:\nevery one whose own keys are valid). The password is asked at most once. After the run the\nstatus is read again. Exit 0 only when it is healthy; 1 when problems are left (listed, each\nwith why this plan did not fix it); 2: usage or connection error.\n${KEEP_NOTE}`,
  'verify-user': `xsign-doctor verify-user ${COMMON}\n    @USER:SERVER --master KEY\n\nVerify someone by hand: ask them to read out their master key (or its fingerprint, in groups of\nfour) and give it to --master. If it is the key the homeserver publishes for them, it is signed\nwith your user-signing key from secret storage; if not, nothing is sent and the exit code is 1.`,
  'reverify-users': `xsign-doctor reverify-users ${COMMON}\n    [--users @A:X,@B:Y]\n\nAfter a reset: sign again, with your current user-signing key, the people your replaced one had\nverified and whose master key has not changed since (default: all of them; a listed person in\nany other state is refused). People whose identity changed are never included.`,
  'sign-devices': `xsign-doctor sign-devices ${COMMON}\n    [--devices ID,ID]\n\nCross-sign sessions (default: every unsigned one).`,
  'store-secrets': `xsign-doctor store-secrets ${COMMON}\n    (--from-recovery-key K | --from-recovery-key-file F | --from-passphrase P | --from-passphrase-file F\n     | --from-export FILE [--export-passphrase-file F])\n\nAdd the cross-signing secrets under the default key, from another secret-storage key\n(XSIGN_FROM_RECOVERY_KEY may hold its recovery key) or from a key export file.`,
  'resign-backup': `xsign-doctor resign-backup ${COMMON}\n\nSign the key backup with the master key.`,
  'setup-secret-storage': `xsign-doctor setup-secret-storage ${COMMON}\n    [--new-passphrase-file F] [--recovery-key-out FILE] [--from-export FILE [--export-passphrase-file F]]\n    [--master-key FILE] [--self-signing-key FILE] [--user-signing-key FILE]\n\nSet up secret storage with a new default key (also: create-secret-storage). Its recovery key is\nprinted once, before anything is sent, or written to --recovery-key-out FILE (mode 0600; an\nexisting file is never overwritten). With --new-passphrase-file the key is derived from the\npassphrase on its first line (PBKDF2), and the recovery key still opens it. Stored under it: the\ncross-signing keys of the key files (base64 seeds, as upload takes them), of --from-export FILE or\nof the old secret storage (--recovery-key: the old key), each only if it matches the published\nkey, and the backup key when it is known.`,
  'set-default-key': `xsign-doctor set-default-key ${COMMON}\n\nMake the existing secret-storage key that --recovery-key (or --passphrase) opens the default one.\nThe key is checked against that key's description (iv/mac) first; a wrong key sends nothing.`,
  'reset-backup': `xsign-doctor reset-backup ${COMMON}\n\nStart a new key backup version: its key is stored in secret storage (under --recovery-key)\nbefore the version is created, signed by your master key. The current backup key, when it is\nstored, is kept as dev.xsign-doctor.previous.m.megolm_backup.v1.<version>; nothing is deleted.`,
  'sign-out-device': `xsign-doctor sign-out-device ${COMMON}\n    [--devices ID,ID] [--including-this-session]\n\nSign sessions out (DELETE /devices/{id}; the server may ask for your password for each). Default:\nthe sessions whose keys cannot be trusted. This session only with --including-this-session.`,
  upload: `xsign-doctor upload ${COMMON}\n    [--master-key FILE] [--self-signing-key FILE] [--user-signing-key FILE]\n\nWithout key files: publish the keys held in secret storage. With them: publish keys you supply;\neach FILE holds a CrossSigningKey JSON object or a base64 seed (files, not arguments: command\nlines are public).`,
};

/** `xsign-doctor <command> --help`. */
export const USAGE: Record<Command, string> = {
  whoami: `Usage: xsign-doctor whoami --homeserver URL ${TOKEN}\n\nPrint the user ID and device ID of the access token.\n\n${SECRETS}`,
  status: `Usage: xsign-doctor status --homeserver URL ${TOKEN} [--account @you:server]\n    ${KEY}\n    [--json | --diagnostic] [--state-file F]

Inspect the account's cross-signing keys, devices, secret storage and key backup, and list each
problem with its repair; the problems of the people you verified (see users) count too.
Exit 0: healthy; 1: problems found; 2: usage or connection error.
--json prints the report as JSON; --diagnostic prints it with the raw server JSON (ciphertexts,
key checks and device names redacted) for bug reports.
--account names the user the token belongs to: the reads start at once instead of after whoami,
which still checks it (exit 2, nothing printed, when the token acts as someone else).

${STATE_NOTE}

${SECRETS}`,
  users: `Usage: xsign-doctor users --homeserver URL ${TOKEN}\n    [--user @x:y …] [--json] [--state-file F]

List the people whose verification matters to you (members of your encrypted rooms, your direct
chats, and each --user, which may repeat or list IDs with commas) with one state each: verified,
verified-by-replaced-key, identity-changed, not-verified, no-identity. Text output is grouped by
state; --json lists each user with userId, masterKey and state. Exit 0: no problem; 1: problems
found (e.g. people verified only by your replaced user-signing key); 2: usage or connection error.

${STATE_NOTE}

${SECRETS}`,
  ...(Object.fromEntries(REPAIR_COMMANDS.map((c) => [c, `Usage: ${REPAIR_USAGE[c]}\n\n${REPAIR_NOTES}\n\n${SECRETS}`])) as Record<RepairCommand, string>),
};

export const HELP = `xsign-doctor ${VERSION} — inspect and repair Matrix cross-signing identities

Usage:
  xsign-doctor whoami --homeserver URL ${TOKEN}
  xsign-doctor status --homeserver URL ${TOKEN}
      ${KEY} [--json | --diagnostic]
  xsign-doctor users  --homeserver URL ${TOKEN} [--user @x:y …] [--json]
  xsign-doctor fix | reset | regenerate | sign-devices | store-secrets | resign-backup | upload
      | verify-user | reverify-users | setup-secret-storage | set-default-key | reset-backup
      | sign-out-device …
  xsign-doctor <command> --help
  xsign-doctor --version

status inspects the account's cross-signing keys, devices, secret storage and key backup, and
lists each problem with its repair. Exit 0: healthy; 1: problems found; 2: usage or connection
error. --json prints the report as JSON; --diagnostic prints it with the raw server JSON
(ciphertexts, key checks and device names redacted) for bug reports.

users lists the people whose verification matters to you (encrypted rooms, direct chats, --user)
with one state each; exit codes as status.

Repairs (each command's --help says more):
  xsign-doctor fix           [common] [--devices ID,ID] [export]
                                                           one plan for every cause status lists that a repair
                                                           fixes; exit 0 only when the account ends healthy
  xsign-doctor reset         [common] [export]             new master, self-signing and user-signing keys
  xsign-doctor regenerate    [common] [--self-signing] [--user-signing] [export]
                                                           new self-signing and/or user-signing key (default:
                                                           both) under the master from secret storage
  xsign-doctor sign-devices  [common] [--devices ID,ID]    cross-sign sessions (default: every unsigned one)
  xsign-doctor store-secrets [common] (--from-recovery-key-file F | --from-passphrase-file F | --from-export FILE)
                                                           (an encrypted export's passphrase: --export-passphrase-file F)
                                                           add the cross-signing secrets under the default key
  xsign-doctor resign-backup [common]                      sign the key backup with the master key
  xsign-doctor upload        [common]                      publish the keys held in secret storage
  xsign-doctor upload        [common] [--master-key FILE] [--self-signing-key FILE] [--user-signing-key FILE]
                                                           publish keys you supply: each FILE holds a
                                                           CrossSigningKey JSON object or a base64 seed
  xsign-doctor verify-user @USER:SERVER --master KEY [common]
                                                           verify someone by hand (refused if KEY is not theirs)
  xsign-doctor reverify-users [common] [--users @A:X,@B:Y] verify again the people your replaced
                                                           user-signing key had verified
  xsign-doctor setup-secret-storage [common] [--new-passphrase-file F] [--recovery-key-out FILE] [--from-export FILE]
                                                           new default secret-storage key; its recovery key shown once
  xsign-doctor set-default-key [common]                    make the key --recovery-key opens the default one
  xsign-doctor reset-backup  [common]                      new key backup, its key in secret storage first
  xsign-doctor sign-out-device [common] [--devices ID,ID] [--including-this-session]
                                                           sign sessions out (default: the untrustworthy ones)
  fix, reset and regenerate take --keep-verified all|none|@A:X,@B:Y: keep the people you verified verified,
  and --devices ID,ID: the sessions to cross-sign with the new self-signing key in the same plan.
  The repair names status prints work as commands too: reset-cross-signing (reset),
  regenerate-subkeys (regenerate), upload-keys (upload), create-secret-storage (setup-secret-storage).
  common: ${COMMON.replace(/\n    /g, ' ')}
  export: ${EXP_FLAGS}

${REPAIR_NOTES}

${SECRETS}`;
