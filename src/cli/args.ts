/**
 * Command-line parsing for xsign-doctor. Flags are declared per command so a typo is a usage
 * error (exit 2) rather than silently ignored.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type FlagSpec = Record<string, 'string' | 'boolean'>;
export type Parsed = { flags: Record<string, string | boolean>; positionals: string[] };

/** @param onPositional - Called with the index of each positional argument (default: collect it). */
export function parseArgs(argv: string[], spec: FlagSpec, onPositional?: (index: number) => void): Parsed {
  const flags: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      onPositional?.(i);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    }
  }
  return { flags, positionals };
}

/**
 * Parse a command's flags; no command takes a positional argument. A stray one is named by its
 * position only: it is often a secret typed without its flag (`status … hunter2`), and a usage
 * error goes to the terminal, to logs and into bug reports.
 */
export function parseCommandArgs(command: string, argv: string[], spec: FlagSpec): Record<string, string | boolean> {
  const { flags } = parseArgs(argv, spec, (index) => {
    throw new UsageError(`unexpected argument #${index + 1} after ${command} (its value is not shown; every option starts with --)`);
  });
  return flags;
}
