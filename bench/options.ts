/**
 * The command lines of `npm run bench`, `bench:paired` and `npm run load`: one table per command
 * gives `util.parseArgs` its options, the usage text its lines and each number its check.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  help: string;
  /** `flag` (the default): a boolean; `number`: a whole number ≥ `min` (default 1). */
  kind?: 'flag' | 'number' | 'text' | 'list';
  min?: number;
}

/** A mistake on the command line: the commands print it with their usage and exit 2. */
export class UsageError extends Error {}

export const isUsageError = (err: unknown): boolean =>
  err instanceof UsageError ||
  String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');

export function usage(head: string, table: Record<string, OptionSpec>): string {
  const width = Math.max(...Object.keys(table).map((name) => name.length)) + 2;
  const lines = Object.entries(table).map(
    ([name, spec]) => `  --${name.padEnd(width)}${spec.help}`,
  );
  return [head, ...lines].join('\n');
}

/** Parses `args` by `table` (and `--help`/`-h`); `number(name, fallback)` reads a checked number. */
export function parseOptions(
  table: Record<string, OptionSpec>,
  args: string[],
  positionals = false,
) {
  const options = Object.fromEntries(
    Object.entries(table).map(([name, { kind }]) => {
      const type = kind === undefined || kind === 'flag' ? 'boolean' : 'string';
      return [name, { type, multiple: kind === 'list' }] as const;
    }),
  );
  const parsed = parseArgs({
    args,
    allowPositionals: positionals,
    options: { ...options, help: { type: 'boolean', short: 'h' } },
  });
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const number = (name: string, fallback: number): number => {
    const value = values[name];
    if (value === undefined) return fallback;
    const min = table[name]?.min ?? 1;
    if (!/^[0-9]{1,6}$/.test(String(value)) || Number(value) < min) {
      throw new UsageError(`--${name}: not a whole number from ${min} to 999999: "${value}"`);
    }
    return Number(value);
  };
  return { values, positionals: parsed.positionals, number };
}
