/** @otptrace/generator: a deterministic DirectAccess OTP fleet, written as the four sources' event logs plus expected verdicts. */
export { arrivalOrder } from './arrival.js';
export type { ExpectedAttempt, FleetFile } from './attempt.js';
export { FLEET_FILES } from './attempt.js';
export type { CaServer, DaServer, Fleet, FleetUser, Host, NpsServer } from './fleet.js';
export { buildFleet } from './fleet.js';
export type { FleetChunk, FleetSummary } from './generate.js';
export { generateFleetLogs } from './generate.js';
export type { FleetLogOptions, RadiusClientNames } from './options.js';
export { DEFAULT_FLEET_OPTIONS, fleetOptionProblems, RADIUS_CLIENT_NAMES } from './options.js';
export type { Prng, Weighted } from './prng.js';
export { createPrng, pickWeighted } from './prng.js';
export { hresultToSignedDecimal } from './render/ca.js';
export { OTP_URI_STEM } from './render/iis.js';
export type { ScenarioName } from './scenarios.js';
export { DEFAULT_MIX, SCENARIOS } from './scenarios.js';
export { zoneOffsetMinutes } from './text-logs.js';
export type { AnalysedAttempt, AttemptPair, Verification } from './verify.js';
export { START_TOLERANCE_MS, verdictOf, verifyAgainstExpected } from './verify.js';
