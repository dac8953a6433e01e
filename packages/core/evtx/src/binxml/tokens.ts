// BinXML token values (MS-EVEN6 section 3.1.4.7.x "BinXml"; libevtx format documentation "Binary XML tokens").
// The 0x40 bit on element, value, attribute, CDATA, char-ref and entity-ref tokens is a "more data follows" flag.
export const TOKEN_EOF = 0x00;
export const TOKEN_OPEN_START_ELEMENT = 0x01;
export const TOKEN_CLOSE_START_ELEMENT = 0x02;
export const TOKEN_CLOSE_EMPTY_ELEMENT = 0x03;
export const TOKEN_END_ELEMENT = 0x04;
export const TOKEN_VALUE = 0x05;
export const TOKEN_ATTRIBUTE = 0x06;
export const TOKEN_CDATA = 0x07;
export const TOKEN_CHAR_REF = 0x08;
export const TOKEN_ENTITY_REF = 0x09;
export const TOKEN_PI_TARGET = 0x0a;
export const TOKEN_PI_DATA = 0x0b;
export const TOKEN_TEMPLATE_INSTANCE = 0x0c;
export const TOKEN_NORMAL_SUBSTITUTION = 0x0d;
export const TOKEN_OPTIONAL_SUBSTITUTION = 0x0e;
export const TOKEN_FRAGMENT_HEADER = 0x0f;
export const MORE_FLAG = 0x40;

// Value types (MS-EVEN6 section 2.2.17 value types; libevtx "Value types"). 0x80 marks an array of the base type.
export const VALUE_NULL = 0x00;
export const VALUE_STRING = 0x01;
export const VALUE_ANSI_STRING = 0x02;
export const VALUE_INT8 = 0x03;
export const VALUE_UINT8 = 0x04;
export const VALUE_INT16 = 0x05;
export const VALUE_UINT16 = 0x06;
export const VALUE_INT32 = 0x07;
export const VALUE_UINT32 = 0x08;
export const VALUE_INT64 = 0x09;
export const VALUE_UINT64 = 0x0a;
export const VALUE_REAL32 = 0x0b;
export const VALUE_REAL64 = 0x0c;
export const VALUE_BOOL = 0x0d;
export const VALUE_BINARY = 0x0e;
export const VALUE_GUID = 0x0f;
export const VALUE_SIZE_T = 0x10;
export const VALUE_FILETIME = 0x11;
export const VALUE_SYSTEMTIME = 0x12;
export const VALUE_SID = 0x13;
export const VALUE_HEX_INT32 = 0x14;
export const VALUE_HEX_INT64 = 0x15;
export const VALUE_EVT_HANDLE = 0x20;
export const VALUE_BINXML = 0x21;
export const VALUE_EVT_XML = 0x23;
export const VALUE_ARRAY_FLAG = 0x80;
