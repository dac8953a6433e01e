/** @otptrace/trace: ⑤ attempt + verdict -> span data (no SDK). */
export const PACKAGE_NAME = '@otptrace/trace';
