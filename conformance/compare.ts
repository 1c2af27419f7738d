/**
 * Comparing a step on the real provider with the same step on the fake. What must match: the
 * client's outcome, the facts, and per exchange the method, path, status, the headers that matter
 * and the body's shape. What may differ, because it is data and not protocol: string lengths other
 * than hex tokens', array lengths, the rate-limit numbers' digits other than the reset's, and a
 * `null` where the other side has a value (nullable fields).
 */
import type { ExchangeRecord } from './record.js';
import { type BodyShape, describeBody, type Shape } from './shape.js';
import type { StepResult } from './steps.js';

export interface ComparedStep {
  step: string;
  real: string;
  fake: string;
  same: boolean;
  /** Why not the same, one line each (empty when the same). */
  differences: string[];
}

/** Headers compared by presence only (their digits are data). */
const PRESENCE_ONLY = new Set(['x-ratelimit-limit', 'x-ratelimit-remaining', 'set-cookie']);

function shapeDifferences(path: string, a: Shape, b: Shape, out: string[]): void {
  if (a.type === 'null' || b.type === 'null') return;
  if (a.type !== b.type) {
    out.push(`${path}: ${a.type} vs ${b.type}`);
    return;
  }
  if (a.type === 'string' && b.type === 'string') {
    if (a.format !== b.format) out.push(`${path}: ${a.format} string vs ${b.format} string`);
    else if (a.format === 'hex' && a.length !== b.length) {
      out.push(`${path}: ${a.length} vs ${b.length} hex characters`);
    } else if (a.jwt && b.jwt) {
      shapeDifferences(`${path} (JWT header)`, a.jwt.header, b.jwt.header, out);
      shapeDifferences(`${path} (JWT claims)`, a.jwt.payload, b.jwt.payload, out);
    }
    return;
  }
  if (a.type === 'array' && b.type === 'array') {
    if (a.items.length === 0 || b.items.length === 0) return;
    // Both sides' element shapes, compared as sets: the first of each is the usual element.
    shapeDifferences(`${path}[]`, a.items[0]!, b.items[0]!, out);
    return;
  }
  if (a.type === 'object' && b.type === 'object') {
    for (const key of Object.keys(a.keys)) {
      if (!(key in b.keys)) out.push(`${path}.${key}: only on the real side`);
    }
    for (const key of Object.keys(b.keys)) {
      if (!(key in a.keys)) out.push(`${path}.${key}: only on the fake`);
    }
    for (const key of Object.keys(a.keys)) {
      if (key in b.keys) shapeDifferences(`${path}.${key}`, a.keys[key]!, b.keys[key]!, out);
    }
  }
}

function bodyDifferences(a: BodyShape, b: BodyShape, out: string[]): void {
  if (a.kind !== b.kind) {
    out.push(`body: ${describeBody(a)} vs ${describeBody(b)}`);
    return;
  }
  if (a.kind === 'text' && b.kind === 'text') {
    if (a.mediaType !== b.mediaType) out.push(`body: ${a.mediaType} vs ${b.mediaType}`);
    return;
  }
  if ((a.kind === 'json' || a.kind === 'form') && (b.kind === 'json' || b.kind === 'form')) {
    shapeDifferences('body', a.shape, b.shape, out);
  }
}

function headerDifferences(a: Record<string, string>, b: Record<string, string>, out: string[]) {
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const [x, y] = [a[name], b[name]];
    if (x === undefined || y === undefined) {
      out.push(`header ${name}: ${x === undefined ? 'only on the fake' : 'only on the real side'}`);
    } else if (x !== y && !PRESENCE_ONLY.has(name)) {
      out.push(`header ${name}: ${x} vs ${y}`);
    }
  }
}

function exchangeDifferences(a: ExchangeRecord, b: ExchangeRecord, out: string[]): void {
  if (a.method !== b.method || a.path !== b.path) {
    out.push(`request: ${a.method} ${a.path} vs ${b.method} ${b.path}`);
  }
  if (a.status !== b.status) {
    out.push(`status: ${a.status || a.error} vs ${b.status || b.error}`);
    return;
  }
  headerDifferences(a.headers, b.headers, out);
  bodyDifferences(a.body, b.body, out);
  for (const key of new Set([...Object.keys(a.values), ...Object.keys(b.values)])) {
    if (a.values[key] !== b.values[key]) {
      out.push(`body.${key}: ${a.values[key] ?? '(none)'} vs ${b.values[key] ?? '(none)'}`);
    }
  }
}

/**
 * One table cell: the last answer's status, then the client's outcome when it is not `ok` and the
 * body's `error`/`title` vocabulary, the facts, and for a success the body's shape.
 */
export function summary(result: StepResult): string {
  if (result.outcome.startsWith('skipped')) return 'skipped';
  const last = result.exchanges.at(-1);
  const parts: string[] = [];
  if (last) parts.push(last.status ? String(last.status) : `${last.error}`);
  if (result.outcome !== 'ok') parts.push(result.outcome);
  const word = last?.values.error ?? last?.values.title;
  if (word !== undefined) parts.push(word);
  for (const [name, value] of Object.entries(result.facts ?? {})) parts.push(`${name}=${value}`);
  if (word === undefined && result.outcome === 'ok' && last?.status)
    parts.push(describeBody(last.body));
  return parts.join(' ');
}

export function compareStep(real: StepResult, fake: StepResult | undefined): ComparedStep {
  const differences: string[] = [];
  if (!fake) {
    differences.push('the fake run has no such step');
  } else if (real.outcome.startsWith('skipped') || fake.outcome.startsWith('skipped')) {
    if (real.outcome.startsWith('skipped') !== fake.outcome.startsWith('skipped')) {
      differences.push(`outcome: ${real.outcome} vs ${fake.outcome}`);
    }
  } else {
    if (real.outcome !== fake.outcome)
      differences.push(`outcome: ${real.outcome} vs ${fake.outcome}`);
    for (const name of new Set([
      ...Object.keys(real.facts ?? {}),
      ...Object.keys(fake.facts ?? {}),
    ])) {
      const [x, y] = [real.facts?.[name], fake.facts?.[name]];
      if (x !== y) differences.push(`${name}: ${x} vs ${y}`);
    }
    if (real.exchanges.length !== fake.exchanges.length) {
      differences.push(`requests: ${real.exchanges.length} vs ${fake.exchanges.length}`);
    }
    real.exchanges.forEach((exchange, i) => {
      const other = fake.exchanges[i];
      if (other) exchangeDifferences(exchange, other, differences);
    });
  }
  return {
    step: real.step,
    real: summary(real),
    fake: fake ? summary(fake) : '-',
    same: differences.length === 0,
    differences,
  };
}

export function compareRuns(real: StepResult[], fake: StepResult[]): ComparedStep[] {
  return real.map((result) =>
    compareStep(
      result,
      fake.find((f) => f.step === result.step),
    ),
  );
}

/** The table, with the differences under it. */
export function formatTable(rows: ComparedStep[]): string {
  const width = (pick: (row: ComparedStep) => string, title: string) =>
    Math.min(46, Math.max(title.length, ...rows.map((row) => pick(row).length)));
  const cut = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
  const w = [
    width((r) => r.step, 'step'),
    width((r) => r.real, 'real'),
    width((r) => r.fake, 'fake'),
  ];
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < 3 ? cut(cell, w[i]!).padEnd(w[i]!) : cell))
      .join('  ')
      .trimEnd();
  const out = [
    line(['step', 'real', 'fake', 'same?']),
    line(w.map((n) => '-'.repeat(n)).concat('---------')),
  ];
  for (const row of rows)
    out.push(line([row.step, row.real, row.fake, row.same ? 'same' : 'DIFFERENT']));
  const different = rows.filter((row) => !row.same);
  if (different.length > 0) {
    out.push('', 'Differences:');
    for (const row of different)
      for (const text of row.differences) out.push(`  ${row.step}: ${text}`);
  }
  return out.join('\n');
}
