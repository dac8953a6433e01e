/** @otptrace/stats: ⑤ attempts -> fleet statistics. */
export const PACKAGE_NAME = '@otptrace/stats';
