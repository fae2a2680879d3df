import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError } from './args.ts';

const spec = { homeserver: 'string', json: 'boolean' } as const;

test('parses --flag value, --flag=value and booleans', () => {
  assert.deepEqual(parseArgs(['status', '--homeserver', 'http://h', '--json'], spec), {
    flags: { homeserver: 'http://h', json: true },
    positionals: ['status'],
  });
  assert.deepEqual(parseArgs(['--homeserver=http://h'], spec).flags, { homeserver: 'http://h' });
});

test('unknown options and missing values are usage errors', () => {
  assert.throws(() => parseArgs(['--token', 'x'], spec), UsageError);
  assert.throws(() => parseArgs(['--homeserver'], spec), /needs a value/);
  assert.throws(() => parseArgs(['--json=1'], spec), /takes no value/);
});
