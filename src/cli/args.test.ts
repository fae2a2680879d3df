import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, parseCommandArgs, UsageError } from './args.ts';

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

test('parseCommandArgs: a stray argument is named by its position, never by its value', () => {
  assert.deepEqual(parseCommandArgs('status', ['--homeserver', 'http://h', '--json'], spec), { homeserver: 'http://h', json: true });
  assert.throws(() => parseCommandArgs('status', ['--homeserver', 'http://h', 'hunter2'], spec), (e: Error) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.message, 'unexpected argument #3 after status (its value is not shown; every option starts with --)');
    return true;
  });
  assert.throws(() => parseCommandArgs('status', ['--homeserver=hunter2', '--bogus=hunter2'], spec), (e: Error) => e.message === 'unknown option --bogus');
});
