/**
 * The results as markdown (printed, and saved next to the JSON): absolute figures, ratios to the
 * floor of the same provider, the issue's two goals checked, then import time and footprint.
 */
import type { Footprint } from './footprint.js';
import type { ImportTime } from './import-time.js';
import type { LoginRunResult, LoginSummary } from './login-benchmark.js';
import type { BenchMode } from './modes.js';
import { ALTERNATIVE, VARIANTS, type VariantName } from './variants.js';

export interface BenchReport {
  date: string;
  mode: BenchMode;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryBytes: number;
    node: string;
    platform: string;
    /** Which CPUs the app, the fakes and the driver ran on. */
    pinning: string;
  };
  durationSeconds: number;
  /** CPU profiles were recorded: the profiler's own cost is in the figures. */
  profiled: boolean;
  /** Median over rounds, one per variant. */
  logins: LoginSummary[];
  /** Every round of every variant. */
  runs: LoginRunResult[];
  imports: ImportTime[];
  footprints: Footprint[];
}

/** The issue's goals: at least the alternative's throughput, at most 1.15× the floor's CPU. */
export const CPU_GOAL_RATIO = 1.15;
/**
 * "At least match" the alternative's throughput, with a tolerance for run-to-run noise on a shared
 * 2-core machine (the spread between rounds is printed next to it).
 */
export const THROUGHPUT_TOLERANCE = 0.03;

const MiB = 1024 * 1024;
const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export interface Ratios {
  throughput: number;
  p50: number;
  p99: number;
  cpu: number;
  rss: number;
  /** Throughput relative to the passport-oauth2 alternative. */
  throughputVsAlternative: number;
}

export function ratiosOf(summary: LoginSummary, all: readonly LoginSummary[]): Ratios | undefined {
  const floor = all.find((other) => other.variant === VARIANTS[summary.variant].floor);
  const alternative = all.find((other) => other.variant === ALTERNATIVE);
  if (!floor) return undefined;
  return {
    throughput: summary.loginsPerSecond / floor.loginsPerSecond,
    p50: summary.p50Ms / floor.p50Ms,
    p99: summary.p99Ms / floor.p99Ms,
    cpu: summary.cpuMicrosPerLogin / floor.cpuMicrosPerLogin,
    rss: summary.peakRssBytes / floor.peakRssBytes,
    throughputVsAlternative: alternative
      ? summary.loginsPerSecond / alternative.loginsPerSecond
      : Number.NaN,
  };
}

function loginTables(report: BenchReport): string {
  const { logins } = report;
  const absolute = table(
    [
      'Implementation',
      'Provider',
      'Logins/s',
      'p50 ms',
      'p99 ms',
      'CPU µs/login',
      'Peak RSS MiB',
      'New conns/login',
      'App CPU share',
      'Fake CPU µs/login',
      'Other load (cores)',
    ],
    logins.map((s) => [
      VARIANTS[s.variant].label,
      VARIANTS[s.variant].provider.toUpperCase(),
      report.mode.rounds > 1
        ? `${fixed(s.loginsPerSecond)} (${fixed(s.loginsPerSecondRange[0])}–${fixed(s.loginsPerSecondRange[1])})`
        : fixed(s.loginsPerSecond),
      fixed(s.p50Ms, 2),
      fixed(s.p99Ms, 2),
      report.mode.rounds > 1
        ? `${fixed(s.cpuMicrosPerLogin)} (${fixed(s.cpuMicrosPerLoginRange[0])}–${fixed(s.cpuMicrosPerLoginRange[1])})`
        : fixed(s.cpuMicrosPerLogin),
      fixed(s.peakRssBytes / MiB, 1),
      fixed(s.connectionsPerLogin, 3),
      fixed(s.appCpuShare, 2),
      fixed(s.fakeCpuMicrosPerLogin),
      fixed(s.otherLoadCores, 2),
    ]),
  );
  const relative = table(
    [
      'Implementation',
      'vs floor',
      'Logins/s',
      'p50',
      'p99',
      'CPU/login',
      'Peak RSS',
      'Logins/s vs passport-oauth2',
    ],
    logins.map((s) => {
      const r = ratiosOf(s, logins);
      return [
        VARIANTS[s.variant].label,
        VARIANTS[VARIANTS[s.variant].floor].label,
        ratio(r?.throughput ?? Number.NaN),
        ratio(r?.p50 ?? Number.NaN),
        ratio(r?.p99 ?? Number.NaN),
        ratio(r?.cpu ?? Number.NaN),
        ratio(r?.rss ?? Number.NaN),
        ratio(r?.throughputVsAlternative ?? Number.NaN),
      ];
    }),
  );
  return `${absolute}\n\nRatios to the floor of the same provider (lower is better for latency, CPU and RSS; higher for logins/s):\n\n${relative}`;
}

export interface GoalCheck {
  variant: VariantName;
  ratios: Ratios;
  /** `undefined` when the alternative was not run. */
  throughputOk: boolean | undefined;
  cpuOk: boolean;
}

/** The issue's two goals, for each of our strategies that was run. */
export function checkGoals(logins: readonly LoginSummary[]): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const variant of ['passport-exbo', 'passport-soa2'] as VariantName[]) {
    const summary = logins.find((s) => s.variant === variant);
    const ratios = summary && ratiosOf(summary, logins);
    if (!ratios) continue;
    checks.push({
      variant,
      ratios,
      throughputOk: Number.isFinite(ratios.throughputVsAlternative)
        ? ratios.throughputVsAlternative >= 1 - THROUGHPUT_TOLERANCE
        : undefined,
      cpuOk: ratios.cpu <= CPU_GOAL_RATIO,
    });
  }
  return checks;
}

function goals(report: BenchReport): string {
  const lines: string[] = [];
  for (const { variant: name, ratios: r, throughputOk, cpuOk } of checkGoals(report.logins)) {
    lines.push(
      `- ${name}: throughput ${ratio(r.throughputVsAlternative)} the passport-oauth2 alternative ` +
        `${throughputOk === undefined ? '(not run)' : throughputOk ? '✓' : '✗'}; ` +
        `CPU per login ${ratio(r.cpu)} its floor (goal ≤ ${CPU_GOAL_RATIO}×) ${cpuOk ? '✓' : '✗'}`,
    );
  }
  return lines.length ? `Goals:\n\n${lines.join('\n')}` : '';
}

function packageTable(report: BenchReport): string {
  if (report.imports.length === 0 && report.footprints.length === 0) return '';
  const names = [
    ...new Set([...report.imports, ...report.footprints].map((entry) => entry.packageName)),
  ];
  const kib = (bytes: number) => `${fixed(bytes / 1024)} KiB`;
  const rows = names.map((name) => {
    const time = report.imports.find((entry) => entry.packageName === name);
    const size = report.footprints.find((entry) => entry.packageName === name);
    return [
      size ? `${name}@${size.version}` : name,
      time ? fixed(time.esmMs, 1) : '–',
      time ? fixed(time.cjsMs, 1) : '–',
      size
        ? `${size.runtimeDependencies}${size.typesOnlyDependencies ? ` (${size.typesOnlyDependencies} for types)` : ''}`
        : '–',
      size
        ? `${kib(size.totalBytes)}${size.typesOnlyBytes ? ` (${kib(size.typesOnlyBytes)} for types)` : ''}`
        : '–',
      size ? kib(size.ownBytes) : '–',
      size?.shippedBuildInfoBytes ? kib(size.shippedBuildInfoBytes) : '–',
    ];
  });
  const samples = report.imports[0]?.samples ?? 0;
  return `Cold import (median of ${samples} fresh processes each) and install footprint:\n\n${table(
    [
      'Package',
      'import() ms',
      'require() ms',
      'Runtime deps',
      'On disk with deps',
      'Package alone',
      'Shipped .tsbuildinfo',
    ],
    rows,
  )}`;
}

export function markdownReport(report: BenchReport): string {
  const { mode, machine } = report;
  const perRound = mode.concurrency * mode.measuredPerSlot;
  const header =
    `## Login benchmark (${mode.name} mode, ${report.date.slice(0, 16).replace('T', ' ')} UTC)\n\n` +
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${fixed(machine.memoryBytes / 1024 ** 3, 1)} GiB, ` +
    `Node ${machine.node}, ${machine.platform}; ${machine.pinning}. ` +
    `${perRound} measured callbacks per round at concurrency ${mode.concurrency} ` +
    `(after ${mode.concurrency * mode.warmupPerSlot} warm-up), ${mode.rounds} round(s); ` +
    `${mode.rounds > 1 ? 'medians over rounds, range in brackets' : 'one round'}. ` +
    `Took ${fixed(report.durationSeconds)} s.`;
  const profiled = report.profiled
    ? '\n\n**Profiled run:** the CPU profiler ran in each app; use these figures to find hot spots only.'
    : '';
  const failed = report.logins.filter((s) => s.failureCount > 0);
  const failures = failed.length
    ? `\n\n**FAILED LOGINS:** ${failed.map((s) => `${s.variant} ${s.failureCount}`).join(', ')}`
    : '';
  return `${[header + profiled + failures, loginTables(report), goals(report), packageTable(report)]
    .filter(Boolean)
    .join('\n\n')}\n`;
}
