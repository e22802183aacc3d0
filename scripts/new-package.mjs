// Scaffolds a workspace package or app: package.json, tsconfigs, src/index.ts. Used once per new package.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [kind, name, description, ...deps] = process.argv.slice(2);
const dir = join(kind === 'app' ? 'apps' : 'packages', name);
mkdirSync(join(dir, 'src'), { recursive: true });
const dependencies = {};
const devDependencies = {};
for (const d of deps) {
  const dev = d.startsWith('dev:');
  const spec = dev ? d.slice(4) : d;
  const at = spec.lastIndexOf('@');
  const [pkg, version] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, 'workspace:*'];
  (dev ? devDependencies : dependencies)[pkg] = version;
}
const pkg = {
  name: `@mailyard/${name}`,
  version: '0.1.0',
  private: true,
  description,
  type: 'module',
  exports: {
    '.': { source: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
  },
  scripts: {
    build: 'tsc -p tsconfig.build.json',
    typecheck: 'tsc -p tsconfig.json --noEmit',
    test: `cd ../.. && vitest run ${dir}`,
  },
  dependencies,
  devDependencies,
};
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  join(dir, 'tsconfig.json'),
  `${JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { noEmit: true }, include: ['src', 'test'] }, null, 2)}\n`,
);
writeFileSync(
  join(dir, 'tsconfig.build.json'),
  `${JSON.stringify(
    {
      extends: '../../tsconfig.base.json',
      compilerOptions: { rootDir: 'src', outDir: 'dist', customConditions: [] },
      include: ['src'],
      exclude: ['src/**/*.test.ts'],
    },
    null,
    2,
  )}\n`,
);
if (!existsSync(join(dir, 'src/index.ts'))) writeFileSync(join(dir, 'src/index.ts'), `export {};\n`);
