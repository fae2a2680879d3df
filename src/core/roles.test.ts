// The role table is the one place that names the three cross-signing keys; a guard keeps a second
// copy of its mappings from growing back in any layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { capitalized, ROLE, ROLES } from './roles.ts';

test('each role names its spec identifiers consistently', () => {
  assert.deepEqual(ROLES, ['master', 'selfSigning', 'userSigning']);
  for (const role of ROLES) {
    const r = ROLE[role];
    // client-server API §Cross-signing (usage), POST /keys/device_signing/upload (body field),
    // POST /keys/query (response section), §Storage of cross-signing private keys (secret name).
    assert.equal(r.uploadField, `${r.usage}_key`);
    assert.equal(r.querySection, `${r.usage}_keys`);
    assert.equal(r.secretName, `m.cross_signing.${r.usage}`);
    assert.equal(r.name, r.usage.replace('_', '-'));
    assert.equal(r.label, `${r.name} key`);
  }
  assert.equal(capitalized(ROLE.selfSigning.label), 'Self-signing key');
  assert.ok(Object.isFrozen(ROLE) && Object.isFrozen(ROLE.master) && Object.isFrozen(ROLES));
});

const srcDir = new URL('..', import.meta.url).pathname;

/**
 * A whole string literal that spells one of the table's values: an upload field, a keys/query
 * section, a secret name, a usage other than "master" (too common a word to forbid), or a label
 * for people ("self-signing key"; the bare "self-signing" is also a CLI flag name, so it is not
 * caught). Such a literal outside the table is a second copy of a mapping.
 */
const ROLE_LITERAL = new RegExp(
  String.raw`(['"\x60])(?:master_keys?|(?:self|user)_signing(?:_keys?)?|m\.cross_signing\.(?:master|self_signing|user_signing)|(?:master|self-signing|user-signing) key)\1`,
  'gi',
);

/** The table itself, and the wire types and parsers of src/core/matrix/, which spell the spec's fields. */
const ALLOWED = (rel: string) => rel === 'core/roles.ts' || rel.startsWith('core/matrix/');

export function roleTableCopies(rel: string, text: string): string[] {
  if (ALLOWED(rel)) return [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  return [...code.matchAll(ROLE_LITERAL)].map((m) => `${rel}: ${m[0]}`);
}

test('no second copy of the role mappings outside src/core/roles.ts', () => {
  const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
    .filter((rel) => /\.tsx?$/.test(rel) && !/\.test\.tsx?$/.test(rel) && !rel.includes('testing/'));
  assert.ok(files.includes(join('core', 'inspect', 'identity-checks.ts')), 'the scan reaches every layer');
  const offences = files.flatMap((rel) => roleTableCopies(rel, readFileSync(join(srcDir, rel), 'utf8')));
  assert.deepEqual(offences, []);
});

test('the copy guard fires on a planted mapping, and not on comments or the allowed files', () => {
  const planted = "const BODY_FIELD = { master: 'master_key', selfSigning: \"self_signing_key\", userSigning: `user_signing_key` };";
  assert.equal(roleTableCopies('core/repair/x.ts', planted).length, 3);
  assert.equal(roleTableCopies('popup/x.tsx', "const SECTION = { self_signing: 'self_signing_keys' };").length, 1);
  assert.equal(roleTableCopies('cli/x.ts', "const LABEL = { master: 'Master key', selfSigning: 'self-signing key' };").length, 2);
  assert.equal(roleTableCopies('core/inspect/x.ts', "read('m.cross_signing.user_signing')").length, 1);
  assert.equal(roleTableCopies('core/inspect/x.ts', "if (role === 'self_signing') {}").length, 1);
  assert.deepEqual(roleTableCopies('core/x.ts', "// 'master_key' in a comment\n/* 'm.cross_signing.master' */ const url = 'https://x/'; // 'user_signing'"), []);
  assert.deepEqual(roleTableCopies('core/x.ts', "const s = `the ${name} self-signing key`;"), []);
  assert.deepEqual(roleTableCopies('core/matrix/types.ts', "self_signing_key?: CrossSigningKey; type U = 'self_signing';"), []);
  assert.deepEqual(roleTableCopies('core/roles.ts', "uploadField: 'master_key'"), []);
});
