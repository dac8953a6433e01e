import { describe, expect, it } from 'vitest';
import { computerNameOf, serverNameOf } from '../src/host-name.js';

describe('host names', () => {
  it('gives an FQDN and its NetBIOS name one computer name', () => {
    expect(computerNameOf('DA1.corp.example.com')).toBe('da1');
    expect(computerNameOf('DA1')).toBe('da1');
  });

  it('counts a server under its computer name, and an address as it is', () => {
    expect(serverNameOf('DA1.corp.example.com')).toBe('da1');
    expect(serverNameOf('da1')).toBe('da1');
    expect(serverNameOf('203.0.113.10')).toBe('203.0.113.10');
    expect(serverNameOf('2001:DB8::10')).toBe('2001:db8::10');
    // A name whose first label is all digits is still a name.
    expect(serverNameOf('10.corp.example')).toBe('10');
  });
});
