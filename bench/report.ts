/**
 * The results as markdown (printed, and saved beside the JSON): the login table with its ratios,
 * the package section (load time, modules per entry point, install footprint), and every goal of
 * the issues with a ✓/✗, which `--check` turns into an exit status.
 */
import { FOOTPRINT_GOAL, type Footprint, OURS } from './footprint.js';
import { LOAD_GOAL_RATIO, LOAD_GOALS, type LoadTimes } from './load-time.js';
import type { LoginRun, LoginSummary } from './login-run.js';
import { ALTERNATIVE, VARIANTS } from './variants.js';

export interface BenchReport {
  title: string;
  date: string;
  /** Machine, mode and sizes, one line. */
  setup: string;
  logins: LoginSummary[];
  runs: LoginRun[];
  load?: LoadTimes;
  footprints?: Footprint[];
}

/** First issue's goals: CPU per login ≤ 1.15× the floor's, logins/s ≥ the alternative's. */
const CPU_GOAL_RATIO = 1.15;
/** "At least match" within the run-to-run noise of throughput on this machine. */
const THROUGHPUT_TOLERANCE = 0.03;

export interface Goal {
  text: string;
  ok: boolean;
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const mark = (ok: boolean) => (ok ? '✓' : '✗');

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** CPU per login vs the floor of its provider, logins/s vs the passport-oauth2 alternative. */
function ratios(s: LoginSummary, all: readonly LoginSummary[]) {
  const floor = all.find((other) => other.variant === VARIANTS[s.variant].floor);
  const alternative = all.find((other) => other.variant === ALTERNATIVE);
  return {
    cpu: floor ? s.cpuMicrosPerLogin / floor.cpuMicrosPerLogin : Number.NaN,
    rate: alternative ? s.loginsPerSecond / alternative.loginsPerSecond : Number.NaN,
  };
}

export function goals(report: BenchReport): Goal[] {
  const list: Goal[] = [];
  for (const s of report.logins.filter((s) => s.variant.startsWith('passport-'))) {
    const r = ratios(s, report.logins);
    if (Number.isFinite(r.rate)) {
      const ok = r.rate >= 1 - THROUGHPUT_TOLERANCE;
      list.push({ ok, text: `${s.variant}: logins/s ${fixed(r.rate, 2)}× the alternative's` });
    }
    if (Number.isFinite(r.cpu)) {
      const ok = r.cpu <= CPU_GOAL_RATIO;
      list.push({ ok, text: `${s.variant}: CPU/login ${fixed(r.cpu, 2)}× its floor's (≤ 1.15×)` });
    }
  }
  const time = (name: string) => report.load?.times.find((t) => t.packageName === name);
  for (const [ours, reference] of report.load ? LOAD_GOALS : []) {
    for (const format of ['require', 'import'] as const) {
      const ratio = time(ours)![`${format}Ms`] / time(reference)![`${format}Ms`];
      list.push({
        ok: ratio <= LOAD_GOAL_RATIO,
        text: `${ours}: ${format}() in an Express app adds ${fixed(ratio, 2)}× ${reference}'s (≤ ${LOAD_GOAL_RATIO}×)`,
      });
    }
  }
  for (const f of report.footprints?.filter((f) => OURS.includes(f.packageName)) ?? []) {
    list.push({
      ok: f.packages <= FOOTPRINT_GOAL.packages && f.diskKiB <= FOOTPRINT_GOAL.diskKiB,
      text: `${f.packageName}: installs ${fixed(f.packages)} packages, ${fixed(f.diskKiB)} KiB (≤ 9, ≤ 700)`,
    });
  }
  return list;
}

function loginTable({ logins }: BenchReport): string {
  const withRange = (median: number, [low, high]: [number, number], digits = 0) =>
    low === high ? fixed(median, digits) : `${fixed(median)} (${fixed(low)}–${fixed(high)})`;
  const header = ['Implementation', 'Logins/s', 'p50 ms', 'p99 ms', 'CPU µs/login', 'CPU vs floor'];
  header.push('Logins/s vs passport-oauth2', 'Peak RSS MiB', 'New conns/login');
  header.push('Fake CPU µs/login', 'Other load (cores)');
  const rows = logins.map((s) => {
    const r = ratios(s, logins);
    return [
      VARIANTS[s.variant].label,
      withRange(s.loginsPerSecond, s.rateRange),
      fixed(s.p50Ms, 2),
      fixed(s.p99Ms, 2),
      withRange(s.cpuMicrosPerLogin, s.cpuRange),
      `${fixed(r.cpu, 2)}×`,
      `${fixed(r.rate, 2)}×`,
      fixed(s.peakRssBytes / 2 ** 20, 1),
      fixed(s.connectionsPerLogin, 3),
      fixed(s.fakeCpuMicrosPerLogin),
      fixed(s.otherLoadCores, 2),
    ];
  });
  return table(header, rows);
}

function packageSection({ load, footprints }: BenchReport): string {
  const parts: string[] = [];
  if (load) {
    const times = ['added', 'alone'].flatMap((how) => [
      `${how} require() ms`,
      `${how} import() ms`,
    ]);
    parts.push(
      `Cold load, median of ${load.samples} fresh processes per package, format and app, ` +
        'interleaved; added: after Express 5, express-session and passport; alone: first thing loaded:',
      table(
        ['Package', ...times],
        // `alone` lists the packages in the order of `times` (load-time.ts).
        load.times.map((t, i) => {
          const alone = load.alone[i];
          const ms = [t.requireMs, t.importMs, alone?.requireMs, alone?.importMs];
          return [t.packageName, ...ms.map((value) => fixed(value ?? Number.NaN, 1))];
        }),
      ),
      table(
        ['Entry point', 'modules loaded by require()'],
        load.modules.map((m) => [m.entry, m.count === undefined ? 'missing' : String(m.count)]),
      ),
    );
  }
  if (footprints) {
    parts.push(
      '`npm install --omit=dev` of the package alone into a fresh app (ours from `npm pack` tarballs):',
      table(
        ['Package', 'packages installed (itself included)', 'node_modules KiB on disk'],
        footprints.map((f) => [
          `${f.packageName}@${f.version}`,
          f.error ? `install failed: ${f.error}` : fixed(f.packages),
          fixed(f.diskKiB),
        ]),
      ),
    );
  }
  return parts.join('\n\n');
}

export function markdownReport(report: BenchReport): string {
  const failed = report.logins.filter((s) => s.failureCount > 0);
  const sections = [
    `## ${report.title} (${report.date.slice(0, 16).replace('T', ' ')} UTC)\n\n${report.setup}`,
    failed.length > 0
      ? `**FAILED LOGINS:** ${failed.map((s) => `${s.variant} ${s.failureCount} (${s.failures[0]})`).join(', ')}`
      : '',
    report.logins.length > 0 ? loginTable(report) : '',
    packageSection(report),
    `Goals:\n\n${goals(report)
      .map((goal) => `- ${goal.text} ${mark(goal.ok)}`)
      .join('\n')}`,
  ];
  return `${sections.filter(Boolean).join('\n\n')}\n`;
}
