// A small tar writer for tests, from POSIX.1-2001's ustar and pax formats and GNU tar's long-name entries: the header
// fields the reader uses, each entry's data padded to whole blocks, two zero blocks at the end.

export interface WrittenTarEntry {
  readonly name: string;
  readonly data?: Uint8Array;
  /** '0' a file (default), '5' a folder, '2' a symbolic link. */
  readonly type?: string;
  /** How a name longer than 100 bytes is written: a ustar prefix, a GNU 'L' entry, or a pax 'x' header. */
  readonly longNames?: 'prefix' | 'gnu' | 'pax';
  /** The size in GNU's base-256 form. */
  readonly binarySize?: boolean;
}

const BLOCK = 512;

function header(name: string, size: number, type: string, prefix = '', binarySize = false): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  if (binarySize) {
    h[124] = 0x80;
    let n = size;
    for (let i = 135; i > 124; i--) {
      h[i] = n % 256;
      n = Math.floor(n / 256);
    }
  } else h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('15125720000\0', 136, 'latin1');
  h.write(type, 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function padded(data: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.ceil(data.length / BLOCK) * BLOCK);
  out.set(data);
  return out;
}

export function writeTar(entries: readonly WrittenTarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? new Uint8Array());
    const type = entry.type ?? '0';
    let name = entry.name;
    let prefix = '';
    if (Buffer.byteLength(name) > 100) {
      if (entry.longNames === 'gnu') {
        const long = Buffer.from(`${name}\0`);
        parts.push(header('././@LongLink', long.length, 'L'), padded(long));
        name = name.slice(0, 100);
      } else if (entry.longNames === 'pax') {
        let record = '';
        const body = ` path=${name}\n`;
        for (let length = body.length; ; length++) {
          record = `${length}${body}`;
          if (Buffer.byteLength(record) === length) break;
        }
        const pax = Buffer.from(record);
        parts.push(header('PaxHeaders/x', pax.length, 'x'), padded(pax));
        name = name.slice(-100);
      } else {
        const cut = name.lastIndexOf('/', name.length - 1 - 0);
        prefix = name.slice(0, cut);
        name = name.slice(cut + 1);
      }
    }
    parts.push(header(name, data.length, type, prefix, entry.binarySize), padded(data));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}
