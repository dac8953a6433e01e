/** @otptrace/normalize: ② parsed event -> normalised event, one mapper per source. */
export const PACKAGE_NAME = '@otptrace/normalize';
