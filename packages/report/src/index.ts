/** @otptrace/report: self-contained HTML report of an analysis. */
export const PACKAGE_NAME = '@otptrace/report';
