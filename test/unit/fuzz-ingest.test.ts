import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evtxSeeds, xmlSeeds } from '../fuzz/corpus.mjs';
import { runCase } from '../fuzz/harness.mjs';
import { HEAVY_MUTATORS, LIGHT_MUTATORS, mutateLight, rngFrom } from '../fuzz/mutators.mjs';
import { fuzzDeps as deps } from './fuzz-deps.js';

// Mutation fuzzing of the ingestion through its real entry points, seeded (a failure prints its seed and replays).
// Every case must keep the invariants of test/fuzz/harness.mjs: no throw, no hang, bounded heap, every event read
// accounted for as correlated, ignored or rejected with a catalogued reason at a position inside its file, no
// event twice, no entity expanded, no file read.

const seeds = xmlSeeds();
const evtx = evtxSeeds();
const FC_SEED = 20_261_102;

function expectClean(r: { violations: string[] }, what: string): void {
  expect(r.violations, what).toEqual([]);
}

describe('XML ingestion under mutation', () => {
  it('has a seed corpus of real renderings', () => {
    expect(seeds.length).toBeGreaterThan(50);
    expect(evtx.length).toBeGreaterThan(3);
  });

  for (const name of Object.keys(LIGHT_MUTATORS)) {
    it(`${name}: every mutated seed keeps the invariants`, () => {
      const mutate = LIGHT_MUTATORS[name as keyof typeof LIGHT_MUTATORS];
      fc.assert(
        fc.property(fc.nat(seeds.length - 1), fc.integer(), (i, seed) => {
          const rng = rngFrom(seed);
          const file = seeds[i]!;
          const bytes = mutate(file.bytes, rng);
          expectClean(runCase(deps, [{ name: file.name, bytes, kind: 'xml' }], rng), `${name} of ${file.name}`);
        }),
        { seed: FC_SEED, numRuns: 300 },
      );
    });
  }

  it('stacked mutations over several files at once keep the invariants', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(seeds.length - 1), { minLength: 1, maxLength: 4 }), fc.integer(), (picks, seed) => {
        const rng = rngFrom(seed);
        const inputs = picks.map((i, k) => {
          const { bytes } = mutateLight(seeds[i]!.bytes, rng);
          return { name: `${k}-${seeds[i]!.name}`, bytes, kind: 'xml' as const };
        });
        expectClean(runCase(deps, inputs, rng), picks.map((i) => seeds[i]!.name).join(', '));
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  for (const name of Object.keys(HEAVY_MUTATORS)) {
    it(`${name}: megabyte-scale and 10k-element cases stay bounded in time and heap`, () => {
      const mutate = HEAVY_MUTATORS[name as keyof typeof HEAVY_MUTATORS];
      fc.assert(
        fc.property(fc.nat(seeds.length - 1), fc.integer(), (i, seed) => {
          const rng = rngFrom(seed);
          const file = seeds[i]!;
          const bytes = mutate(file.bytes, rng);
          const r = runCase(deps, [{ name: file.name, bytes, kind: 'xml' }], rng);
          expectClean(r, `${name} of ${file.name}`);
        }),
        { seed: FC_SEED, numRuns: 6 },
      );
    });
  }
});

describe('.evtx reading under mutation', () => {
  it('flipped bytes, zeroed runs and truncations of real .evtx files keep the invariants', () => {
    fc.assert(
      fc.property(fc.nat(evtx.length - 1), fc.integer(), fc.nat(2), (i, seed, kind) => {
        const rng = rngFrom(seed);
        const file = evtx[i]!;
        const bytes = Buffer.from(file.bytes);
        if (kind === 0)
          for (let k = 0; k < 1 + rng.int(64); k++) {
            const at = rng.int(bytes.length);
            bytes[at] = bytes[at]! ^ (1 + rng.int(255));
          }
        if (kind === 1) bytes.fill(rng.int(2) === 0 ? 0 : 0xff, rng.int(bytes.length), rng.int(bytes.length));
        const input = kind === 2 ? bytes.subarray(0, rng.int(bytes.length)) : bytes;
        expectClean(runCase(deps, [{ name: file.name, bytes: input, kind: 'evtx' }], rng), `${file.name} #${seed}`);
      }),
      { seed: FC_SEED, numRuns: 40 },
    );
  });
});
