// The file's layout and its checksum, for readers that plan or verify .evtx bytes without decoding records (the file
// adapter's planner, archive entries): importing them does not load the record decoder.

export { CHUNK_SIZE } from './chunk.js';
export { crc32 } from './crc32.js';
export { FILE_HEADER_BLOCK_SIZE } from './file-header.js';
