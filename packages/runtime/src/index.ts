/** @otptrace/runtime: adapter kit for services: config files, pino logger, health endpoints. */
export const PACKAGE_NAME = '@otptrace/runtime';
