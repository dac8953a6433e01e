import { describe, expect, it } from 'vitest';
import { computerNameOf } from '../src/host-name.js';

describe('computerNameOf', () => {
  it('gives an FQDN and its NetBIOS name one computer name', () => {
    expect(computerNameOf('DA1.corp.example.com')).toBe('da1');
    expect(computerNameOf('DA1')).toBe('da1');
  });

  it('keeps a host named by its address whole: two addresses are two servers', () => {
    expect(computerNameOf('10.0.1.11')).toBe('10.0.1.11');
    expect(computerNameOf('10.0.1.12')).not.toBe(computerNameOf('10.0.1.11'));
    expect(computerNameOf('2001:DB8::10')).toBe('2001:db8::10');
    expect(computerNameOf('::ffff:10.0.1.11')).toBe('::ffff:10.0.1.11');
    // A name whose first label is all digits is still a name.
    expect(computerNameOf('10.corp.example')).toBe('10');
  });
});
