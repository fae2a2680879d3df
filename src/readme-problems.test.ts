// The README's problem table is held to the code: every problem code of src/core/inspect/problems.ts
// has exactly one row, every repair a row names is a repair kind that exists (and the CLI accepts
// it as a verb), the code's own repair is the one the row names, and a row naming no repair says
// "—" with the reason — so the table never promises a fix that is not there, nor hides one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PROBLEM_CODES, repairForRole, type ProblemCode } from './core/inspect/problems.ts';
import { isRepairKind, type RepairKind } from './core/repair/repair-kinds.ts';
import { commandOf, REPAIR_COMMANDS } from './cli/repair-verbs.ts';
import { ROLE } from './core/roles.ts';
import { USERS_PROBLEM_CODES, type UsersProblemCode } from './core/users/types.ts';

export interface TableRow {
  line: number;
  codes: string[];
  /** The repair cell as written. */
  repairCell: string;
  /** Every repair-like `name` in backticks in the repair cell (kebab-case words; a `--flag` or a path is not one). */
  repairs: string[];
}

/** The rows of the first markdown table whose header is `| Code | Meaning | Repair |` (or `header`). */
export function problemTable(markdown: string, header = /^\|\s*Code\s*\|\s*Meaning\s*\|\s*Repair\s*\|\s*$/): TableRow[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => header.test(l));
  if (start < 0) return [];
  const rows: TableRow[] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    const cells = lines[i]!.split('|').slice(1, -1).map((c) => c.trim());
    const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const repairs = ticked(cells[2] ?? '').filter((t) => /^[a-z]+(?:-[a-z]+)*$/.test(t));
    rows.push({ line: i + 1, codes: ticked(cells[0] ?? ''), repairCell: cells[2] ?? '', repairs });
  }
  return rows;
}

/** A cell that names no repair: "—" and then its reason (in words, at least a few of them). */
const NO_REPAIR = /^—\s*\(?\s*\S+(\s+\S+){2,}/;

/** Repairs a code may name per key role or secret (problems about one key: the master's needs a reset, a subkey's a regeneration). */
const PER_ROLE = new Set([...Object.values(ROLE).flatMap((r) => [repairForRole(r.usage), repairForRole(r.secretName)]), repairForRole('m.megolm_backup.v1')].filter((r): r is RepairKind => r !== undefined));

/** Everything wrong with the table, as `README.md:line: …` lines. */
export function tableProblems(rows: readonly TableRow[]): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  if (rows.length === 0) return ['README.md has no | Code | Meaning | Repair | table'];
  for (const row of rows) {
    const at = `README.md:${row.line}`;
    if (row.codes.length === 0) out.push(`${at}: a row names no problem code`);
    for (const code of row.codes) {
      if (!Object.hasOwn(PROBLEM_CODES, code)) out.push(`${at}: \`${code}\` is no problem code of src/core/inspect/problems.ts`);
      if (seen.has(code)) out.push(`${at}: \`${code}\` has a row already (line ${seen.get(code)})`);
      seen.set(code, row.line);
    }
    for (const repair of row.repairs) {
      if (!isRepairKind(repair)) out.push(`${at}: \`${repair}\` is no repair that exists (src/core/repair/repair-kinds.ts)`);
    }
    if (row.repairs.length === 0 && !NO_REPAIR.test(row.repairCell)) {
      out.push(`${at}: names no repair, so it must say "—" and why (found "${row.repairCell}")`);
    }
    for (const code of row.codes) {
      if (!Object.hasOwn(PROBLEM_CODES, code)) continue;
      const own = PROBLEM_CODES[code as ProblemCode].repair;
      if (own !== undefined && !row.repairs.includes(own)) out.push(`${at}: \`${code}\` names \`${own}\` in the code, not in the table`);
      if (own === undefined) {
        // No repair of its own: the row may name only the per-role repairs, each for a role it says.
        for (const r of row.repairs) if (!PER_ROLE.has(r as RepairKind)) out.push(`${at}: \`${code}\` names no repair in the code, the table names \`${r}\``);
        if (row.repairs.length === 0 && !row.repairCell.startsWith('—')) out.push(`${at}: \`${code}\` names no repair: its cell must start with "—"`);
      }
    }
  }
  for (const code of Object.keys(PROBLEM_CODES)) if (!seen.has(code)) out.push(`README.md: problem code \`${code}\` has no row`);
  return out;
}

const readme = (): string => readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test("README's problem table: one row per problem code, each naming a repair that exists or '—' with the reason", () => {
  assert.deepEqual(tableProblems(problemTable(readme())), []);
});

test('every repair a problem can name is accepted by the CLI under that name', () => {
  const named = new Set<RepairKind>([
    ...Object.values(PROBLEM_CODES).flatMap((c) => (c.repair === undefined ? [] : [c.repair])),
    ...PER_ROLE,
  ]);
  for (const kind of named) {
    assert.ok((REPAIR_COMMANDS as readonly string[]).includes(commandOf(kind) ?? ''), `the status names \`${kind}\`, which is no CLI verb nor an alias of one`);
  }
});

test('the table check catches a missing reason, an unknown repair, a lost row and a repair the code does not name', () => {
  const table = (...rows: string[]) => `| Code | Meaning | Repair |\n|---|---|---|\n${rows.join('\n')}\n`;
  const problems = (md: string) => tableProblems(problemTable(md));
  const all = Object.entries(PROBLEM_CODES).map(([code, c]) => `| \`${code}\` | m | ${c.repair ? `\`${c.repair}\`` : '— (no repair: the reason in words)'} |`);
  assert.deepEqual(problems(table(...all)), []);
  const swap = (code: string, cell: string) => all.map((r) => (r.startsWith(`| \`${code}\` |`) ? `| \`${code}\` | m | ${cell} |` : r));
  assert.match(problems(table(...swap('server-read-failed', '—'))).join('\n'), /must say "—" and why/);
  assert.deepEqual(problems(table(...swap('server-read-failed', '— (run `status --diagnostic` again)'))), [], 'a flag in the reason is no repair');
  assert.match(problems(table(...swap('device-not-cross-signed', '`sign-everything`'))).join('\n'), /`sign-everything` is no repair that exists/);
  assert.match(problems(table(...swap('device-not-cross-signed', '`resign-backup`'))).join('\n'), /names `sign-devices` in the code, not in the table/);
  assert.match(problems(table(...swap('server-read-failed', '`resign-backup`'))).join('\n'), /names no repair in the code, the table names `resign-backup`/);
  assert.match(problems(table(...all.slice(1))).join('\n'), /has no row/);
  assert.match(problems(table(...all, all[0]!)).join('\n'), /has a row already/);
  assert.deepEqual(problems('no table here'), ['README.md has no | Code | Meaning | Repair | table']);
});

/** The rows of the users report's problem table (header `| \`code\` | Meaning | Repair |`). */
export const usersProblemTable = (markdown: string): TableRow[] => problemTable(markdown, /^\|\s*`code`\s*\|\s*Meaning\s*\|\s*Repair\s*\|\s*$/);

test("README's users problem table: one row per users problem code, each naming the repair the code names (they count in the verdict)", () => {
  const rows = usersProblemTable(readme());
  assert.deepEqual(rows.flatMap((r) => r.codes).sort(), Object.keys(USERS_PROBLEM_CODES).sort());
  for (const row of rows) {
    const code = row.codes[0] as UsersProblemCode;
    const own = USERS_PROBLEM_CODES[code].repair;
    assert.deepEqual(row.repairs, own === undefined ? [] : [own], `README.md:${row.line}: ${code}`);
    if (own === undefined) assert.match(row.repairCell, /^—/, `README.md:${row.line}: ${code} names no repair: its cell must start with "—"`);
    else assert.ok(isRepairKind(own) && (REPAIR_COMMANDS as readonly string[]).includes(commandOf(own) ?? ''), own);
  }
});
