import { hostTime, pickStyle, type Stamp } from './stamp.js';
import { renderEvent } from './xml.js';

/**
 * Client events: Microsoft-Windows-OtpCredentialProviderEvt, channel Microsoft-Windows-OtpCredentialProvider/Operational,
 * provider GUID and per-ID `<Data Name>` lists from docs/windows-events.md §2.1 (airbus-cert/etl-parser). No real XML
 * sample exists; Level/Keywords/UserID below are INFERRED from how manifest providers write Operational channels.
 */
export const CLIENT_PROVIDER = 'Microsoft-Windows-OtpCredentialProviderEvt';
export const CLIENT_GUID = '{5cad485a-210f-4c16-80c5-f892de74e28d}';
export const CLIENT_CHANNEL = 'Microsoft-Windows-OtpCredentialProvider/Operational';

/** `<Data Name>` lists per client event ID (§2.1 table); IDs not listed carry no data. */
export const CLIENT_FIELDS: Readonly<Record<number, readonly string[]>> = Object.freeze({
  10000: ['serverAddress', 'path', 'port', 'errCode'],
  10001: ['serverAddress', 'path', 'port', 'errCode'],
  10002: ['serverAddress', 'path', 'port', 'errCode'],
  10003: ['user', 'templateName'],
  10004: ['errorCode'],
  10005: ['user', 'serverAddress', 'errorCode'],
  10006: ['user', 'serverAddress', 'errorCode'],
  10007: ['errorCode'],
  10008: ['user'],
  10011: ['user', 'errorCode'],
  10012: ['user', 'errorCode'],
  10013: ['errorCode'],
  10018: ['OTPUserName', 'CAName'],
  10019: ['OTPUserName', 'CAName'],
  10022: ['CAName'],
});

/** Render client event `eventId` with `values` in the field order of CLIENT_FIELDS. */
export function renderClientEvent(stamp: Stamp, eventId: number, values: readonly string[]): string {
  const names = CLIENT_FIELDS[eventId] ?? [];
  const data = names.map((name, i) => [name, values[i] ?? ''] as const);
  const style = pickStyle(stamp);
  return renderEvent(
    style,
    {
      provider: CLIENT_PROVIDER,
      guid: CLIENT_GUID,
      eventId,
      version: 0,
      // 10022 (completed) is informational; every other ID reports a failure or a cancellation.
      level: eventId === 10022 ? 4 : eventId === 10010 ? 3 : 2,
      task: 0,
      opcode: 0,
      keywords: '0x4000000000000000',
      time: hostTime(stamp),
      ticks: stamp.rng.int(10000),
      recordId: stamp.recordId,
      processId: stamp.rng.between(600, 9000) & ~3,
      threadId: stamp.rng.between(100, 20000) & ~3,
      channel: CLIENT_CHANNEL,
      computer: stamp.host.fqdn,
      userId: 'S-1-5-18',
    },
    { kind: 'named', data },
  );
}
