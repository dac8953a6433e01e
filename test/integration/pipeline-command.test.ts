import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../services/cli/src/commands/pipeline.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: (t: string) => {
      out.stdout += t;
    },
    stderr: (t: string) => {
      out.stderr += t;
    },
  };
  return { out, io };
}

describe('otptrace pipeline: options', () => {
  it('prints its help with -h and --help', async () => {
    for (const flag of ['-h', '--help']) {
      const { out, io } = capture();
      expect(await runPipeline([flag], io)).toBe(0);
      expect(out.stdout).toMatch(/^otptrace pipeline \[--partitions N\] \[--correlators M\] \[--idle-flush-ms MS\]/);
    }
  });

  it('refuses an unknown option or a bad value with one line on stderr and exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-pipeline-'));
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    for (const argv of [
      ['--bogus'],
      ['--partitions', '0'],
      ['--correlators', 'two'],
      ['--prefix', 'a b'],
      ['x'],
      ['--config', join(dir, 'missing.json')],
      ['--config', write('broken.json', '{"npsLogUtcOffsets":')],
      ['--config', write('list.json', '[]')],
      ['--config', write('wrong.json', '{"npsLogUtcOffsets":{"nps01":"noon"},"clockSkewToleranceMs":-1}')],
    ]) {
      const { out, io } = capture();
      expect(await runPipeline(argv, io), argv.join(' ')).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr.trimEnd().split('\n'), argv.join(' ')).toHaveLength(1);
    }
  });
});
