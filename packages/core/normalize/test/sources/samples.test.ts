import { readFileSync } from 'node:fs';
import { scanEvent } from '@otptrace/parse';
import { describe, expect, it } from 'vitest';
import { createNormalizeContext, normalizeEvent, parseSystemTime, toHresult } from '../../src/index.js';

// The real public renderings in ../../../../../test/fixtures/windows-samples/ normalised field for field.
const ctx = createNormalizeContext({ domains: {}, probeUsers: ['DAProbeUser'], otpTemplatePattern: 'otp' });
const sample = (name: string) => {
  const parsed = scanEvent(
    readFileSync(new URL(`../../../../../test/fixtures/windows-samples/${name}`, import.meta.url), 'utf8'),
  );
  if (!parsed.ok) throw new Error(parsed.issue.message);
  return normalizeEvent(parsed.value, ctx);
};

describe('source mappers on real samples', () => {
  it('NPS 6272 (nps-6272-1): granted, user from SubjectUserName', () => {
    expect(sample('nps-6272-1.xml')).toMatchObject({
      status: 'event',
      event: {
        kind: 'radius.decision',
        decision: 'granted',
        reasonCode: 0,
        user: { key: 'username', domain: 'mydomain', domainExplicit: true },
        clientIp: '192.168.21.49',
        clientName: 'clientname',
        id: 'mysubdomain.mydomain.local|security|276341076',
      },
    });
  });
  it('NPS 6273 (nps-6273-1): denied with reason 7 and its text', () => {
    expect(sample('nps-6273-1.xml')).toMatchObject({
      status: 'event',
      event: {
        kind: 'radius.decision',
        decision: 'denied',
        reasonCode: 7,
        reason: 'The specified domain does not exist.',
        user: { key: 'abusby', domain: 'k12' },
      },
    });
  });
  it('NPS 4402 (nps-4402-1): the domain from the unnamed <Data>', () => {
    expect(sample('nps-4402-1.xml')).toMatchObject({
      status: 'event',
      event: { kind: 'radius.directory_unavailable', domain: 'K12.TX.US' },
    });
  });
  it('CA 4886 v1 and v0, 4887, 4888 with the signed decimal HRESULT', () => {
    expect(sample('adcs-4886-1.xml')).toMatchObject({
      status: 'event',
      event: {
        kind: 'ca.request',
        requestId: 104,
        template: 'WebServer',
        // Its ccm: names the CA itself (web enrolment on braavos), which is no client computer.
        requestingMachine: null,
        user: { key: 'missandei', domain: 'essos' },
      },
    });
    expect(sample('adcs-4886-2-synthetic-v0.xml')).toMatchObject({
      status: 'event',
      event: { kind: 'ca.request', requestId: 3001, template: 'User' },
    });
    expect(sample('adcs-4887-1.xml')).toMatchObject({
      status: 'event',
      event: { kind: 'ca.result', status: 'issued', hresult: null, requestId: 104 },
    });
    expect(sample('adcs-4888-1.xml')).toMatchObject({
      status: 'event',
      event: { kind: 'ca.result', status: 'denied', hresult: '0x80094800', requestId: 24 },
    });
  });
  it('unrelated events are ignored', () => {
    for (const f of [
      'other/security-4624-renderinginfo.xml',
      'other/vss-8194-anonymous-data.xml',
      'other/eventlog-1102-userdata.xml',
    ])
      expect(sample(f)).toEqual({ status: 'ignored', reason: 'unrelated_event' });
  });
});

describe('values', () => {
  it('SystemTime with 7 or 9 digits, or an offset', () => {
    expect(parseSystemTime('2025-08-18T07:43:07.1759456Z')).toBeCloseTo(Date.UTC(2025, 7, 18, 7, 43, 7) + 175.9456, 2);
    expect(parseSystemTime('2014-03-07T18:55:51.000000000Z')).toBe(Date.UTC(2014, 2, 7, 18, 55, 51));
    expect(parseSystemTime('2026-09-25T12:04:47+00:00')).toBe(Date.UTC(2026, 8, 25, 12, 4, 47));
    expect(parseSystemTime('2026-09-25T14:04:47+02:00')).toBe(Date.UTC(2026, 8, 25, 12, 4, 47));
    expect(parseSystemTime('2026-02-30T00:00:00Z')).toBeNull();
    expect(parseSystemTime('yesterday')).toBeNull();
  });
  it('HRESULTs as signed decimal, unsigned decimal or hex', () => {
    expect(toHresult('-2146875392')).toBe('0x80094800');
    expect(toHresult('2148091904')).toBe('0x80094800');
    expect(toHresult('0x8009480b')).toBe('0x8009480B');
    expect(toHresult('8009480B')).toBe('0x8009480B');
    expect(toHresult('80040008')).toBe('0x04C55048'); // bare digits are decimal: the client mapper adds 0x to errorCode
    expect(toHresult('banana')).toBeNull();
  });
});

describe('IIS 6200 with a site logging only some W3C fields', () => {
  const iis = readFileSync(new URL('../../../../../test/scenarios/success/iis.xml', import.meta.url), 'utf8').split(
    '\r\n',
  )[0]!;
  it('falls back to TimeCreated when date and time are not logged', () => {
    const parsed = scanEvent(
      iis.replace(/<Data Name="date">[^<]*<\/Data>/, '').replace(/<Data Name="time">[^<]*<\/Data>/, ''),
    );
    if (!parsed.ok) throw new Error(parsed.issue.message);
    const n = normalizeEvent(parsed.value, ctx);
    expect(n).toMatchObject({
      status: 'event',
      event: { kind: 'gateway.request', time: parseSystemTime(parsed.value.systemTime)! },
    });
  });
});
