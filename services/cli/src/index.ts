/** @otptrace/cli: the otptrace command. */
export const PACKAGE_NAME = '@otptrace/cli';
