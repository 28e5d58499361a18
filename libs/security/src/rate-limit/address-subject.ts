import ipaddr from 'ipaddr.js';

/**
 * What per-address limits and velocity checks count as one source: an IPv4 address as it is; an
 * IPv6 address by its /64 network. A subscriber is usually given a whole /64 and may pick any
 * address in it, so counting single IPv6 addresses would give one client billions of fresh ones.
 * An IPv6 form that carries an IPv4 address (IPv4-mapped `::ffff:a.b.c.d` however written, or
 * NAT64 `64:ff9b::a.b.c.d`) counts as that IPv4 address, so IPv4 clients never share one bucket.
 * Anything that is not an address is returned as it is.
 */
export function addressSubject(ip: string): string {
  const bare = ip.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) names an interface, not a host
  if (!ipaddr.isValid(bare)) return ip;
  const addr = ipaddr.process(bare); // IPv4-mapped IPv6 becomes IPv4
  if (addr.kind() === 'ipv4') return addr.toString();
  const v6 = addr as ipaddr.IPv6;
  if (v6.range() === 'rfc6052') {
    const b = v6.toByteArray();
    return ipaddr.fromByteArray(b.slice(12)).toString();
  }
  const parts = v6.parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}
