/**
 * The release script (scripts/publish-packages.mjs): the order it publishes in, and the problems
 * its dry run (the CI step) finds in a package that would publish badly, with a real
 * `npm publish --dry-run` on a throwaway package. Nothing is published.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dryRunProblems, publishOrder } from '../../scripts/publish-packages.mjs';

/** npm starts a few times per test, and may ask the registry: generous, but a hang still fails. */
const TEST = { timeout: 60_000 };

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'publish-check-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeJson(path: string, value: unknown) {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

describe('publish order', () => {
  test('this repository: fakes, then the strategies (core is compiled into them, not published)', () => {
    const order = publishOrder('.');
    const names = order.map(({ pkg }) => pkg.name);
    assert.deepEqual(names, ['@exbo-soa2/fakes', 'passport-exbo', 'passport-soa2']);
    for (const [index, { pkg }] of order.entries()) {
      for (const dependency of Object.keys((pkg.dependencies as object) ?? {})) {
        if (names.includes(dependency)) assert.ok(names.indexOf(dependency) < index, dependency);
      }
    }
  });

  test('dependencies first, whatever order the workspaces are listed in; private ones left out', {
    timeout: 10_000,
  }, async () => {
    const workspace = join(root, 'order');
    const packages = {
      'a-strategy': { dependencies: { 'b-core': '1.0.0' } },
      'b-core': {},
      'c-example': { private: true, dependencies: { 'a-strategy': '1.0.0' } },
      'd-plugin': { peerDependencies: { 'a-strategy': '1.0.0' } },
    };
    await mkdir(workspace);
    await writeJson(join(workspace, 'package.json'), {
      private: true,
      workspaces: ['pkgs/d-plugin', 'pkgs/a-strategy', 'examples/*', 'pkgs/b-core'],
    });
    for (const [name, fields] of Object.entries(packages)) {
      const dir = join(workspace, name === 'c-example' ? 'examples' : 'pkgs', name);
      await mkdir(dir, { recursive: true });
      await writeJson(join(dir, 'package.json'), { name, version: '1.0.0', ...fields });
    }
    assert.deepEqual(
      publishOrder(workspace).map(({ pkg }) => pkg.name),
      ['b-core', 'a-strategy', 'd-plugin'],
    );
  });
});

describe('the dry run', () => {
  const fixture = 'pkgs/publish-check-fixture';
  const good = {
    name: 'exbo-soa2-publish-check-fixture',
    version: '1.0.0',
    description: 'A throwaway package for the publish check; never published',
    license: 'MIT',
    keywords: ['test'],
    homepage: 'https://example.invalid/fixture#readme',
    bugs: { url: 'https://example.invalid/fixture/issues' },
    repository: { type: 'git', url: 'git+https://example.invalid/fixture.git', directory: fixture },
    main: 'dist/index.js',
    bin: { fixture: 'bin/fixture.js' },
  };

  async function writeFixture(fields: Record<string, unknown>, files: string[]) {
    const dir = join(root, fixture);
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, 'bin'), { recursive: true });
    await mkdir(join(dir, 'dist'), { recursive: true });
    await writeJson(join(dir, 'package.json'), fields);
    for (const file of files) await writeFile(join(dir, file), '#!/usr/bin/env node\n');
    await chmod(join(dir, 'bin'), 0o755);
  }

  test('a package that would publish well has no problems', TEST, async () => {
    await writeFixture(good, ['README.md', 'LICENSE', 'dist/index.js', 'bin/fixture.js']);
    assert.deepEqual(dryRunProblems(fixture, root), []);
  });

  test('each problem that matters is reported', TEST, async () => {
    const { homepage: _homepage, keywords: _keywords, ...rest } = good;
    await writeFixture(
      {
        ...rest,
        license: 'ISC',
        repository: 'example/fixture',
        // npm rewrites a bin path with `./` and warns that it "was invalid and removed".
        bin: { fixture: './bin/fixture.js' },
        exports: { '.': './dist/index.js', './extra': './dist/extra.js' },
      },
      ['README.md', 'dist/index.js', 'bin/fixture.js'],
    );
    const problems = dryRunProblems(fixture, root);
    const expected = [
      /^npm warn publish npm auto-corrected some errors in your package\.json/,
      /^npm warn publish "bin\[fixture\]" script name bin\/fixture\.js was invalid and removed$/,
      /^LICENSE is not in the tarball$/,
      /^dist\/extra\.js is not in the tarball$/,
      /^license is "ISC", not "MIT"$/,
      /^repository must be/,
      /^no homepage$/,
      /^no keywords$/,
    ];
    for (const pattern of expected) {
      assert.ok(
        problems.some((problem) => pattern.test(problem)),
        `${pattern}\n${problems.join('\n')}`,
      );
    }
  });

  test(
    'a Passport strategy must carry the "passport" keyword; the folder must match',
    TEST,
    async () => {
      await writeFixture(
        {
          ...good,
          name: 'passport-publish-check-fixture',
          repository: { ...good.repository, directory: 'packages/elsewhere' },
        },
        ['README.md', 'LICENSE', 'dist/index.js', 'bin/fixture.js'],
      );
      assert.deepEqual(dryRunProblems(fixture, root), [
        `repository.directory is "packages/elsewhere", not "${fixture}"`,
        'a Passport strategy without the "passport" keyword',
      ]);
    },
  );
});
