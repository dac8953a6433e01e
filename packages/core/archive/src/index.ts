export { CompressedDataError, inflate, type ReadMore } from './inflate.js';
export {
  isTarHeader,
  longName,
  paxPath,
  readTarHeader,
  TAR_BLOCK,
  TarFormatError,
  type TarHeader,
  tarPadded,
} from './tar.js';
export {
  CENTRAL_DIRECTORY_TAIL_BYTES,
  compressionMethodName,
  isZip64EndRecord,
  LOCAL_HEADER_BYTES,
  localDataOffset,
  readCentralDirectory,
  readEndOfCentralDirectory,
  readZip64EndRecord,
  ZIP64_END_RECORD_BYTES,
  type ZipDirectory,
  type ZipEnd,
  type ZipEntry,
  ZipFormatError,
  zipEntryOrder,
} from './zip.js';
