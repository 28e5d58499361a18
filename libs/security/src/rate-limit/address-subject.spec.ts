import { addressSubject } from './address-subject';

describe('addressSubject', () => {
  it('keeps IPv4 addresses whole, also written as IPv6 (mapped, however spelled, or NAT64)', () => {
    for (const ip of [
      '203.0.113.7',
      '::ffff:203.0.113.7',
      '0:0:0:0:0:ffff:203.0.113.7',
      '::ffff:cb00:7107',
      '64:ff9b::203.0.113.7',
      '64:ff9b::cb00:7107',
    ]) {
      expect([ip, addressSubject(ip)]).toEqual([ip, '203.0.113.7']);
    }
    expect(addressSubject('64:ff9b::198.51.100.1')).toBe('198.51.100.1');
  });

  it('counts an IPv6 address by its /64, however it is written', () => {
    const net = '2001:db8:85a3:42::/64';
    for (const ip of [
      '2001:db8:85a3:42::1',
      '2001:0db8:85a3:0042:ffff:ffff:ffff:ffff',
      '2001:DB8:85A3:42:0:0:0:7',
      '2001:db8:85a3:42:1::',
      '2001:db8:85a3:42::192.0.2.1',
    ]) {
      expect(addressSubject(ip)).toBe(net);
    }
    expect(addressSubject('2001:db8:85a3:43::1')).toBe('2001:db8:85a3:43::/64');
    expect(addressSubject('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressSubject('::1')).toBe('0:0:0:0::/64');
    expect(addressSubject('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('leaves anything else as it is', () => {
    for (const x of ['unknown', '', '999.1.1.1', '1:2:3']) expect(addressSubject(x)).toBe(x);
  });
});
