import { isIPv6 } from 'node:net';

/**
 * What per-address limits and velocity checks count as one source: an IPv4 address as it is (an
 * IPv4-mapped IPv6 address as its IPv4 form), an IPv6 address by its /64 network. A subscriber is
 * usually given a whole /64 and may pick any address in it, so counting single IPv6 addresses would
 * give one client billions of fresh ones.
 */
export function addressSubject(ip: string): string {
  const bare = ip.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) names an interface, not a host
  if (!isIPv6(bare)) return ip;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped) return mapped[1];
  const groupsOf = (s: string): string[] =>
    s === '' ? [] : s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])); // a dotted tail is two groups
  const [head, tail] = bare.split('::');
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
