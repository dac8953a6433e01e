/** @otptrace/stats-api: statistics HTTP API, /metrics, dashboard. */
export const PACKAGE_NAME = '@otptrace/stats-api';
