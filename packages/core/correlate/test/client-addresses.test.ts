import { describe, expect, it } from 'vitest';
import { ClientAddresses } from '../src/client-addresses.js';

const HOUR = 3_600_000;
const A = '2001:db8:1:1000::a';

describe('ClientAddresses', () => {
  it('says whose an address is within the time it is kept, before and after the request it was learned from', () => {
    const addresses = new ClientAddresses(HOUR);
    expect(addresses.machineAt(A, 0)).toBeNull();
    addresses.learn(A, 'pc1', 10 * HOUR);
    expect(addresses.machineAt(A, 10 * HOUR + HOUR)).toBe('pc1');
    expect(addresses.machineAt(A, 10 * HOUR - HOUR)).toBe('pc1');
    expect(addresses.machineAt(A, 10 * HOUR + HOUR + 1)).toBeNull();
    expect(addresses.machineAt('2001:db8:1:1000::b', 10 * HOUR)).toBeNull();
  });

  it('keeps an address seen again alive from its latest sighting', () => {
    const addresses = new ClientAddresses(HOUR);
    addresses.learn(A, 'pc1', 0);
    addresses.learn(A, 'pc1', 50 * 60_000);
    expect(addresses.machineAt(A, 50 * 60_000 + HOUR)).toBe('pc1');
  });

  it('says nothing of an address two computers were seen at within the time, until it lapses', () => {
    const addresses = new ClientAddresses(HOUR);
    addresses.learn(A, 'pc1', 0);
    addresses.learn(A, 'pc2', 30 * 60_000);
    expect(addresses.machineAt(A, 31 * 60_000)).toBeNull();
    // Still shared while either sighting is recent; learned afresh once it lapsed.
    addresses.learn(A, 'pc1', 60 * 60_000);
    expect(addresses.machineAt(A, 61 * 60_000)).toBeNull();
    addresses.learn(A, 'pc3', 3 * HOUR);
    expect(addresses.machineAt(A, 3 * HOUR)).toBe('pc3');
  });

  it('forgets the addresses not seen since a time, and only those', () => {
    const addresses = new ClientAddresses(HOUR);
    for (let i = 0; i < 3000; i++) addresses.learn(`2001:db8::${i.toString(16)}`, `pc${i}`, i * 1000);
    addresses.learn('2001:db8::0', 'pc0', 2_500_000);
    addresses.forget(2_000_000);
    // Addresses 2000..2999 were seen at or after the horizon, and address 0 again later.
    expect(addresses.size).toBe(1001);
    expect(addresses.machineAt('2001:db8::0', 2_500_000)).toBe('pc0');
    expect(addresses.machineAt('2001:db8::7d0', 2_000_000)).toBe('pc2000');
    expect(addresses.machineAt('2001:db8::7cf', 2_000_000)).toBeNull();
  });

  it("says which address a computer was last learned at, while the address is still that computer's alone", () => {
    const addresses = new ClientAddresses(HOUR);
    expect(addresses.addressOf('pc1', 0)).toBeNull();
    addresses.learn(A, 'pc1', 0);
    expect(addresses.addressOf('pc1', 30 * 60_000)).toBe(A);
    expect(addresses.addressOf('pc1', HOUR + 1)).toBeNull();
    // A new address replaces the old one; an address another computer was seen at says nothing.
    addresses.learn('2001:db8:1:1000::b', 'pc1', 10 * 60_000);
    expect(addresses.addressOf('pc1', 20 * 60_000)).toBe('2001:db8:1:1000::b');
    addresses.learn('2001:db8:1:1000::b', 'pc2', 25 * 60_000);
    expect(addresses.addressOf('pc1', 30 * 60_000)).toBeNull();
    // Nothing once the address is forgotten (its slot gone; the entry by computer goes with it, only to free memory).
    addresses.learn(A, 'pc3', 3 * HOUR);
    addresses.forget(4 * HOUR + 1);
    expect(addresses.addressOf('pc3', 3 * HOUR)).toBeNull();
  });
});
