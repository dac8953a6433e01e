import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Dependencies that match the code: each workspace's package.json declares exactly what its src/ imports; tests
// import nothing from a higher layer; the root holds no runtime dependency; one version everywhere; and the README's
// architecture map says what package.json says.
const ROOT = new URL('../../', import.meta.url).pathname;
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  workspaces?: string[];
}
interface Workspace {
  dir: string;
  manifest: Manifest;
}

const root = readJson('package.json') as Manifest;
const workspaces: Workspace[] = root.workspaces!.flatMap((glob) => {
  const dirs = glob.endsWith('/*')
    ? readdirSync(join(ROOT, glob.slice(0, -2))).map((name) => `${glob.slice(0, -2)}/${name}`)
    : [glob];
  return dirs
    .filter((dir) => existsSync(join(ROOT, dir, 'package.json')))
    .map((dir) => ({ dir, manifest: readJson(`${dir}/package.json`) as Manifest }));
});
const byName = new Map(workspaces.map((w) => [w.manifest.name, w]));

/** Lower may be imported by higher or equal: the contracts, the pure core, then tools and adapters, then services. */
function layerOf(dir: string): number {
  if (dir === 'schemas') return 0;
  if (dir.startsWith('packages/core/')) return 1;
  if (dir.startsWith('packages/tools/') || dir.startsWith('packages/adapters/')) return 2;
  return 3;
}

function sourceFiles(dir: string): string[] {
  const full = join(ROOT, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory())
      return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs|js)$/.test(name) ? [path] : [];
  });
}

/** The packages a file imports (static, dynamic, re-exports), by package name; node built-ins and relative paths left out. */
function importsOf(file: string): Set<string> {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const names = new Set<string>();
  for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)['"]([^'"\s]+)['"]/gm)) {
    const spec = m[1]!;
    if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return names;
}

const importsUnder = (dir: string) => new Set(sourceFiles(dir).flatMap((f) => [...importsOf(f)]));

describe('workspace dependencies', () => {
  it('each workspace declares exactly the packages its src/ imports', () => {
    for (const { dir, manifest } of workspaces) {
      const imported = importsUnder(`${dir}/src`);
      imported.delete(manifest.name);
      expect(Object.keys(manifest.dependencies ?? {}).sort(), dir).toEqual([...imported].sort());
    }
  });

  it('src/ imports only its own layer or lower ones (core is pure: no adapter, tool or service)', () => {
    for (const { dir, manifest } of workspaces) {
      for (const name of Object.keys(manifest.dependencies ?? {})) {
        const target = byName.get(name);
        if (target !== undefined)
          expect(layerOf(target.dir), `${dir} -> ${target.dir}`).toBeLessThanOrEqual(layerOf(dir));
      }
    }
  });

  it('tests import nothing from a higher layer, and only what is declared', () => {
    const rootDev = new Set(Object.keys(root.devDependencies ?? {}));
    for (const { dir, manifest } of workspaces) {
      const declared = new Set([
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.devDependencies ?? {}),
      ]);
      for (const name of importsUnder(`${dir}/test`)) {
        if (name === manifest.name) continue;
        const target = byName.get(name);
        if (target !== undefined) {
          expect(declared.has(name), `${dir}/test imports ${name}, not in its package.json`).toBe(true);
          expect(layerOf(target.dir), `${dir}/test -> ${target.dir}`).toBeLessThanOrEqual(layerOf(dir));
        } else {
          expect(declared.has(name) || rootDev.has(name), `${dir}/test imports ${name}, declared nowhere`).toBe(true);
        }
      }
    }
  });

  it('the root declares no runtime dependency; its devDependencies cover what tests, benchmarks and scripts import', () => {
    expect(root.dependencies ?? {}).toEqual({});
    const rootDev = new Set(Object.keys(root.devDependencies ?? {}));
    for (const dir of ['test', 'bench', 'schemas/scripts', '.ci']) {
      for (const name of importsUnder(dir)) {
        if (byName.has(name)) continue;
        expect(rootDev.has(name), `${dir} imports ${name}, not in the root devDependencies`).toBe(true);
      }
    }
  });

  it('one version: every workspace carries the root version and depends on the others at exactly that version', () => {
    for (const { dir, manifest } of workspaces) {
      expect(manifest.version, dir).toBe(root.version);
      for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
        if (byName.has(name)) expect(range, `${dir} -> ${name}`).toBe(root.version);
      }
    }
  });
});

/** The map names folders without the `packages/` prefix. */
const short = (dir: string) => dir.replace(/^packages\//, '');

describe("README's architecture map", () => {
  it('lists every workspace with exactly the workspaces its package.json depends on', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('<!-- layout map: checked by test/unit/dependencies.test.ts -->');
    expect(start, 'the map is in README.md').toBeGreaterThan(0);
    const block = readme.slice(
      readme.indexOf('```', start) + 3,
      readme.indexOf('```', readme.indexOf('```', start) + 3),
    );
    const map = new Map<string, string[]>();
    for (const line of block.split('\n').filter((l) => l.includes('→'))) {
      const [from, to] = line.split('→').map((s) => s.trim());
      map.set(from!, to === '—' ? [] : to!.split(/,\s*/).sort());
    }
    const expected = new Map(
      workspaces.map(({ dir, manifest }) => [
        short(dir),
        Object.keys(manifest.dependencies ?? {})
          .filter((name) => byName.has(name))
          .map((name) => short(byName.get(name)!.dir))
          .sort(),
      ]),
    );
    expect(Object.fromEntries(map)).toEqual(Object.fromEntries(expected));
  });
});
