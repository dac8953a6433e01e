import { crc32, deflateRawSync } from 'node:zlib';

// A small zip writer for tests, written from APPNOTE.TXT 6.3.10 (sections 4.3 and 4.5), with the oddities of real
// writers as options: backslashes (PowerShell 5's Compress-Archive), names in an OEM code page with Info-ZIP's
// Unicode Path field, ZIP64 records, a self-extractor's stub before the archive, an archive comment.

export interface WrittenEntry {
  readonly name: string;
  readonly data?: Uint8Array;
  /** 0 stored, 8 deflated (default); other methods are written as stored bytes with that method number. */
  readonly method?: number;
  /** The name's bytes as stored (else the name in UTF-8). */
  readonly rawName?: Uint8Array;
  /** General purpose flag bit 11: the name is UTF-8. */
  readonly utf8?: boolean;
  /** Info-ZIP's Unicode Path extra field (0x7075) with this name. */
  readonly unicodePath?: string;
  /** The "version made by" host: 0 MS-DOS, 3 Unix, 10 NTFS. */
  readonly host?: number;
  readonly externalAttributes?: number;
  /** General purpose flag bit 0. */
  readonly encrypted?: boolean;
  /** Sizes and offset in a ZIP64 extra field, the 32-bit fields all ones. */
  readonly zip64?: boolean;
  /** Overrides the CRC-32 written (a damaged archive). */
  readonly crc32?: number;
}

export interface WriterOptions {
  /** Bytes before the archive (a self-extractor's stub); offsets are written as if the archive started at 0. */
  readonly prefix?: Uint8Array;
  readonly comment?: string;
  /** ZIP64 end record and locator, the end record's fields all ones. */
  readonly zip64End?: boolean;
}

export function writeZip(entries: readonly WrittenEntry[], options: WriterOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? new Uint8Array());
    const method = entry.method ?? 8;
    const stored = method === 8 ? deflateRawSync(data) : data;
    const name = Buffer.from(entry.rawName ?? Buffer.from(entry.name, 'utf8'));
    const flags = (entry.encrypted ? 1 : 0) | (entry.utf8 ? 0x800 : 0);
    const crc = entry.crc32 ?? crc32(data);
    const extras: Buffer[] = [];
    if (entry.unicodePath !== undefined) {
      const utf8 = Buffer.from(entry.unicodePath, 'utf8');
      const field = Buffer.alloc(9 + utf8.length);
      field.writeUInt16LE(0x7075, 0);
      field.writeUInt16LE(5 + utf8.length, 2);
      field[4] = 1;
      field.writeUInt32LE(crc32(name), 5);
      utf8.copy(field, 9);
      extras.push(field);
    }
    const localExtras = [...extras];
    if (entry.zip64) {
      const local = Buffer.alloc(20);
      local.writeUInt16LE(1, 0);
      local.writeUInt16LE(16, 2);
      local.writeBigUInt64LE(BigInt(data.length), 4);
      local.writeBigUInt64LE(BigInt(stored.length), 12);
      localExtras.unshift(local);
      const central = Buffer.alloc(28);
      central.writeUInt16LE(1, 0);
      central.writeUInt16LE(24, 2);
      central.writeBigUInt64LE(BigInt(data.length), 4);
      central.writeBigUInt64LE(BigInt(stored.length), 12);
      central.writeBigUInt64LE(BigInt(offset), 20);
      extras.unshift(central);
    }
    const big = entry.zip64 ? 0xffffffff : undefined;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(entry.zip64 ? 45 : 20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(big ?? stored.length, 18);
    local.writeUInt32LE(big ?? data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const localExtra = Buffer.concat(localExtras);
    local.writeUInt16LE(localExtra.length, 28);
    locals.push(local, name, localExtra, stored);
    const central = Buffer.alloc(46);
    const extra = Buffer.concat(extras);
    central.writeUInt32LE(0x02014b50, 0);
    central[4] = 20;
    central[5] = entry.host ?? 3;
    central.writeUInt16LE(entry.zip64 ? 45 : 20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(big ?? stored.length, 20);
    central.writeUInt32LE(big ?? data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(entry.externalAttributes ?? 0, 38);
    central.writeUInt32LE(big ?? offset, 42);
    centrals.push(central, name, extra);
    offset += local.length + name.length + localExtra.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (options.zip64End) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const comment = Buffer.from(options.comment ?? '', 'utf8');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(options.zip64End ? 0xffff : entries.length, 8);
  end.writeUInt16LE(options.zip64End ? 0xffff : entries.length, 10);
  end.writeUInt32LE(options.zip64End ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(options.zip64End ? 0xffffffff : offset, 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([Buffer.from(options.prefix ?? new Uint8Array()), ...locals, directory, ...tail, end, comment]);
}
