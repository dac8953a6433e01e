/** @otptrace/correlate: ③ normalised events -> attempts. */
export const PACKAGE_NAME = '@otptrace/correlate';
