import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listInputs } from '../src/index.js';

// An analyst often gathers the exported logs as symbolic links (to a share, to each server's export folder): a folder
// of links must be read as the logs themselves, and a link back up the tree must not make the walk go round.
const scratch = mkdtempSync(join(tmpdir(), 'otptrace-links-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('listInputs and symbolic links', () => {
  it('follows links to files and folders, reads a folder reached twice once, and passes over dangling links and links in a loop', async () => {
    const exports = join(scratch, 'exports');
    mkdirSync(join(exports, 'nps1'), { recursive: true });
    writeFileSync(join(exports, 'client.xml'), '<Events/>');
    writeFileSync(join(exports, 'nps1', 'Security.xml'), '<Events/>');
    const case1 = join(scratch, 'case1');
    mkdirSync(case1);
    symlinkSync(join(exports, 'client.xml'), join(case1, 'client.xml'));
    symlinkSync(join(exports, 'nps1'), join(case1, 'nps1'));
    symlinkSync(join(exports, 'nps1'), join(case1, 'nps1-again'));
    symlinkSync(case1, join(case1, 'loop'));
    symlinkSync(join(scratch, 'gone.xml'), join(case1, 'gone.xml'));
    symlinkSync(join(case1, 'ring-b.xml'), join(case1, 'ring-a.xml'));
    symlinkSync(join(case1, 'ring-a.xml'), join(case1, 'ring-b.xml'));
    const { files } = await listInputs([case1]);
    expect(files.map((f) => f.path)).toEqual([join(case1, 'client.xml'), join(case1, 'nps1', 'Security.xml')]);
    // The size is the log's, not the link's.
    expect(files.map((f) => f.size)).toEqual([9, 9]);
  });
});
