/** @otptrace/parse: ① raw EVTX-XML bytes -> parsed events. */
export const PACKAGE_NAME = '@otptrace/parse';
