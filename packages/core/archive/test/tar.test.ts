import { describe, expect, it } from 'vitest';
import { isTarHeader, longName, paxPath, readTarHeader, TAR_BLOCK, TarFormatError, tarPadded } from '../src/index.js';
import { writeTar } from './tar-writer.js';

/** Every header of a tar archive, the names of long-name and pax entries applied, as the files adapter applies them. */
function entries(tar: Buffer): Array<{ name: string; size: number; type: string; data: string }> {
  const out: Array<{ name: string; size: number; type: string; data: string }> = [];
  let next: string | undefined;
  for (let at = 0; at + TAR_BLOCK <= tar.length; ) {
    const header = readTarHeader(tar.subarray(at, at + TAR_BLOCK));
    if (header === null) break;
    const data = tar.subarray(at + TAR_BLOCK, at + TAR_BLOCK + header.size);
    at += TAR_BLOCK + tarPadded(header.size);
    if (header.type === 'longName') next = longName(data);
    else if (header.type === 'pax') next = paxPath(data) ?? next;
    else {
      out.push({ name: next ?? header.name, size: header.size, type: header.type, data: data.toString() });
      next = undefined;
    }
  }
  return out;
}

const long = `collected-for-case-4711/${'directaccess-servers/'.repeat(5)}da01/W3SVC2/u_ex261102.log`;

describe('tar headers', () => {
  it('reads names, sizes and types, and ends at a zero block', () => {
    const tar = writeTar([
      { name: 'logs/', type: '5' },
      { name: 'logs/ca01-Security.xml', data: Buffer.from('<Event/>') },
      { name: 'logs/link', type: '2' },
      { name: 'logs/empty.log' },
    ]);
    expect(isTarHeader(tar.subarray(0, TAR_BLOCK))).toBe(true);
    expect(entries(tar)).toEqual([
      { name: 'logs/', size: 0, type: 'directory', data: '' },
      { name: 'logs/ca01-Security.xml', size: 8, type: 'file', data: '<Event/>' },
      { name: 'logs/link', size: 0, type: 'other', data: '' },
      { name: 'logs/empty.log', size: 0, type: 'file', data: '' },
    ]);
  });

  it('reads long names from a ustar prefix, a GNU long-name entry and a pax header; sizes in base 256', () => {
    expect(long.length).toBeGreaterThan(100);
    for (const longNames of ['prefix', 'gnu', 'pax'] as const) {
      const tar = writeTar([{ name: long, data: Buffer.from('#Fields: date\n'), longNames, binarySize: true }]);
      expect(entries(tar), longNames).toEqual([{ name: long, size: 14, type: 'file', data: '#Fields: date\n' }]);
    }
  });

  it('refuses a block whose checksum does not add up, and tells a tar header from other bytes', () => {
    const tar = writeTar([{ name: 'a.log', data: Buffer.from('x') }]);
    const damaged = Buffer.from(tar);
    damaged[10] = 0x41;
    expect(() => readTarHeader(damaged.subarray(0, TAR_BLOCK))).toThrow(TarFormatError);
    expect(isTarHeader(damaged.subarray(0, TAR_BLOCK))).toBe(false);
    expect(isTarHeader(Buffer.alloc(TAR_BLOCK, 0x3c))).toBe(false);
    expect(isTarHeader(Buffer.from('<Events>'))).toBe(false);
    expect(tarPadded(0)).toBe(0);
    expect(tarPadded(1)).toBe(512);
    expect(tarPadded(512)).toBe(512);
  });
});
