import { describe, expect, it } from 'vitest';
import { displayUser, IdentityResolver } from '../src/index.js';

const resolver = new IdentityResolver({
  domains: { CORP: ['corp.example.com', 'example.com'] },
  probeUsers: ['DAProbeUser'],
});
const key = (raw: string, hint?: string) => {
  const u = resolver.resolve(raw, hint);
  return u === null ? null : `${displayUser(u)}${u.domainExplicit ? '' : ' (derived)'}`;
};

describe('identity normalisation', () => {
  it('maps every spelling of one user to one key', () => {
    expect(key('CORP\\JSmith')).toBe('corp\\jsmith');
    expect(key('jsmith@corp.example.com')).toBe('corp\\jsmith');
    expect(key('JSMITH@example.com')).toBe('corp\\jsmith');
    expect(key('corp.example.com/jsmith')).toBe('corp\\jsmith');
    expect(key('CORP.EXAMPLE.COM\\jsmith')).toBe('corp\\jsmith');
    expect(key('Other Name: Principal Name=jsmith@corp.example.com')).toBe('corp\\jsmith');
    expect(key('jsmith', 'CORP')).toBe('corp\\jsmith');
  });
  it('derives a domain from an unmapped DNS name, marked as not explicit', () => {
    // Real sample nps-6273-1: FullyQualifiedSubjectUserName K12.TX.US\abusby.
    expect(key('K12.TX.US\\abusby')).toBe('k12\\abusby (derived)');
    expect(key('MYSUBDOMAIN.MYDOMAIN.local/username')).toBe('mysubdomain\\username (derived)');
  });
  it('has no user for empty, "-" and computer accounts', () => {
    expect(resolver.resolve('-')).toBeNull();
    expect(resolver.resolve('')).toBeNull();
    expect(resolver.resolve('CORP\\NPS01$')).toBeNull();
  });
  it('knows the probe account, whatever its spelling', () => {
    expect(resolver.isProbe(resolver.resolve('CORP\\daprobeuser')!.key)).toBe(true);
    expect(resolver.isProbe(resolver.resolve('jsmith')!.key)).toBe(false);
    const custom = new IdentityResolver({ domains: {}, probeUsers: ['OtpHealth'] });
    expect(custom.isProbe('otphealth')).toBe(true);
  });
  it('gives the events that spell a user alike one shared user, told apart by the domain hint', () => {
    const r = new IdentityResolver({ domains: { CORP: ['corp.example.com'] }, probeUsers: [] });
    const first = r.resolve('CORP\\JSmith');
    expect(r.resolve('CORP\\JSmith')).toBe(first);
    expect(r.resolve('jsmith', 'CORP')).toEqual({ key: 'jsmith', domain: 'corp', domainExplicit: true, raw: 'jsmith' });
    expect(r.resolve('jsmith', 'OTHER')).toEqual({
      key: 'jsmith',
      domain: 'other',
      domainExplicit: true,
      raw: 'jsmith',
    });
    expect(r.resolve('jsmith')).toEqual({ key: 'jsmith', domain: null, domainExplicit: false, raw: 'jsmith' });
    expect(r.resolve(' CORP\\JSmith ')).toEqual(first);
  });
  it('resolves as a fresh resolver does after more spellings than it keeps', () => {
    const config = { domains: { CORP: ['corp.example.com'] }, probeUsers: [] };
    const r = new IdentityResolver(config);
    const first = r.resolve('corp.example.com/JSmith');
    for (let i = 0; i < 150_000; i++) r.resolve(i % 2 === 0 ? `CORP\\u${i}` : `u${i}`, i % 3 === 0 ? 'CORP' : null);
    expect(r.resolve('corp.example.com/JSmith')).toEqual(first);
    const fresh = new IdentityResolver(config);
    for (const [raw, hint] of [
      ['CORP\\u149998', null],
      ['u149999', 'CORP'],
      ['u3', 'CORP'],
    ] as const)
      expect(r.resolve(raw, hint)).toEqual(fresh.resolve(raw, hint));
  });
});
