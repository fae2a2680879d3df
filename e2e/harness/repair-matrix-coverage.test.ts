// The state × repair matrix must cover every broken state the fixtures can build, in the CLI and in
// the popup (docs/interop.md#repair-matrix): a state added to FIXTURE_STATES without a row fails here,
// before any Synapse is started.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIXTURE_STATES } from './identity.ts';
import { MATRIX, type MatrixRow } from './repair-matrix.ts';

/** Rows for a fixture state: named by it, alone or with a qualifier (`<state> (fix)`, `<state> (subkeys only)`). */
const rowsFor = (state: string, rows: readonly MatrixRow[]): MatrixRow[] =>
  rows.filter((r) => r.state === state || r.state.startsWith(`${state} (`));

export function uncovered(rows: readonly MatrixRow[]): { cli: string[]; popup: string[] } {
  const broken = FIXTURE_STATES.filter((s) => s !== 'healthy');
  return {
    cli: broken.filter((s) => rowsFor(s, rows).length === 0),
    popup: broken.filter((s) => !rowsFor(s, rows).some((r) => r.popup === true)),
  };
}

test('every broken fixture state has a matrix row in the CLI and one in the popup', () => {
  assert.deepEqual(uncovered(MATRIX), { cli: [], popup: [] });
});

test('the coverage check notices a state without a row, and one without a popup row', () => {
  const withoutMaster = MATRIX.filter((r) => !r.state.startsWith('master-replaced'));
  assert.deepEqual(uncovered(withoutMaster).cli, ['master-replaced']);
  const cliOnly = MATRIX.map((r) => (r.state.startsWith('no-default-key') ? { ...r, popup: false } : r));
  assert.deepEqual(uncovered(cliOnly), { cli: [], popup: ['no-default-key'] });
});
