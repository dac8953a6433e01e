/** @otptrace/postgres: adapter: statistics and tickets in PostgreSQL. */
export const PACKAGE_NAME = '@otptrace/postgres';
