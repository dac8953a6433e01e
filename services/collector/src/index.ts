/** @otptrace/collector: collector service: EVTX-XML in, Kafka out. */
export const PACKAGE_NAME = '@otptrace/collector';
