/** @otptrace/generator: deterministic fleet log generator. */
export const PACKAGE_NAME = '@otptrace/generator';
