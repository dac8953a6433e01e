/** @otptrace/pipeline: composes parse, normalize, correlate, diagnose. */
export const PACKAGE_NAME = '@otptrace/pipeline';
