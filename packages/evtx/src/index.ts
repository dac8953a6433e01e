/** @otptrace/evtx: binary .evtx reader -> parsed events. */
export const PACKAGE_NAME = '@otptrace/evtx';
