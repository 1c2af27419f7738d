// The bench's package section decides issue 15's weight and load-time goals: its ✓/✗ must sit at the
// issue's thresholds, and an entry point that does not exist (yet) must read "missing", not crash the
// report. No timing is asserted here: speed is measured by `npm run bench`, never by a test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Footprint } from '../../bench/footprint.js';
import { moduleCount } from '../../bench/load-time.js';
import { type BenchReport, goals, markdownReport } from '../../bench/report.js';

function report(load: [number, number, number, number], footprints: Footprint[]): BenchReport {
  const [exbo, oauth2, soa2, github2] = load;
  return {
    title: 'test',
    date: '2026-01-01T00:00:00.000Z',
    setup: '',
    logins: [],
    runs: [],
    load: {
      samples: 15,
      times: [
        { packageName: 'passport-exbo', requireMs: exbo, importMs: exbo },
        { packageName: 'passport-oauth2', requireMs: oauth2, importMs: oauth2 },
        { packageName: 'passport-soa2', requireMs: soa2, importMs: soa2 },
        { packageName: 'passport-github2', requireMs: github2, importMs: github2 },
      ],
      alone: [],
      modules: [{ entry: 'passport-exbo/game-api', count: undefined }],
    },
    footprints,
  };
}

const installed = (packageName: string, packages: number, diskKiB: number): Footprint => ({
  packageName,
  version: '0.1.0',
  packages,
  diskKiB,
});

test('load-time goals: ✓ at 1.15× the reference, ✗ above, for require() and import()', () => {
  const list = goals(report([23, 20, 23.2, 20], []));
  assert.deepEqual(
    list.map((goal) => [goal.text.split(':')[0], goal.ok]),
    [
      ['passport-exbo', true],
      ['passport-exbo', true],
      ['passport-soa2', false],
      ['passport-soa2', false],
    ],
  );
});

test('footprint goal: ✓ at 9 packages and 700 KiB, ✗ above either or when the install failed', () => {
  const failed = { ...installed('passport-soa2', Number.NaN, Number.NaN), error: 'npm error 404' };
  const cases: [Footprint, boolean][] = [
    [installed('passport-exbo', 9, 700), true],
    [installed('passport-exbo', 10, 300), false],
    [installed('passport-soa2', 5, 701), false],
    [failed, false],
  ];
  for (const [footprint, ok] of cases) {
    const [goal] = goals(report([1, 1, 1, 1], [footprint])).slice(4);
    assert.equal(goal?.ok, ok, JSON.stringify(footprint));
  }
  // References are printed, never judged.
  assert.equal(goals(report([1, 1, 1, 1], [installed('passport-oauth2', 50, 9000)])).length, 4);
  const markdown = markdownReport(report([1, 1, 1, 1], [failed]));
  assert.match(markdown, /\| passport-exbo\/game-api \| missing \|/);
  assert.match(markdown, /install failed: npm error 404/);
});

test('module count: an entry point that does not resolve is missing, one that does is counted', {
  timeout: 30_000,
}, async () => {
  assert.equal(await moduleCount('passport-exbo/no-such-entry'), undefined);
  assert.equal(await moduleCount('no-such-package-at-all'), undefined);
  const oauth2 = await moduleCount('passport-oauth2');
  assert.ok(oauth2 !== undefined && oauth2 > 1, `passport-oauth2 loads ${oauth2} modules`);
});
