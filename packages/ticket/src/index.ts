/** @otptrace/ticket: ⑤ attempts -> deduplicated root-cause tickets. */
export const PACKAGE_NAME = '@otptrace/ticket';
