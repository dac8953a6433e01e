import { describe, expect, it } from 'vitest';
import { clientSubnet } from '../src/subnet.js';

describe('clientSubnet', () => {
  it('groups IPv4 clients by /24', () => {
    expect(clientSubnet('203.0.113.77')).toBe('203.0.113.0/24');
  });
  it('groups IPv6 clients by /64, expanding ::', () => {
    expect(clientSubnet('2001:db8:0:12::5')).toBe('2001:db8:0:12::/64');
    expect(clientSubnet('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientSubnet('[2002:cb00:7107:1:abcd::2]')).toBe('2002:cb00:7107:1::/64');
  });
  it('treats an IPv4-mapped IPv6 address as IPv4', () => {
    expect(clientSubnet('::ffff:198.51.100.9')).toBe('198.51.100.0/24');
  });
  it('returns null for what is not an address', () => {
    expect(clientSubnet(null)).toBeNull();
    expect(clientSubnet('-')).toBeNull();
    expect(clientSubnet('300.1.1.1')).toBeNull();
    expect(clientSubnet('1:2:3')).toBeNull();
    expect(clientSubnet('1::2::3')).toBeNull();
  });
});
