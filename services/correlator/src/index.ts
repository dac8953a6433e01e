/** @otptrace/correlator: correlator service: Kafka in, attempts/traces/tickets/stats out. */
export const PACKAGE_NAME = '@otptrace/correlator';
