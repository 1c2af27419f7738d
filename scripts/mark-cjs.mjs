// A package with a dual build (the fakes) builds its CommonJS output into dist/cjs; this marker makes Node (and TypeScript) treat
// those .js/.d.ts files as CommonJS although the package itself is "type": "module".
import { existsSync, readdirSync, writeFileSync } from 'node:fs';

for (const name of readdirSync('packages')) {
  const dir = `packages/${name}/dist/cjs`;
  if (existsSync(dir)) writeFileSync(`${dir}/package.json`, '{"type":"commonjs"}\n');
}
