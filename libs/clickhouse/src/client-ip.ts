import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/** Storage rule for `client.ip_address` in ClickHouse; see `CLIENT_IP_MODE` in the README. */
export interface ClientIpPolicy {
  mode: 'truncate' | 'hash' | 'keep' | 'drop';
  /** HMAC key for `hash`; the same key gives the same value, so distinct addresses stay countable. */
  hashKey?: string;
}

/** Truncation is the default, so a consumer started without privacy settings stores no full address. */
export const DEFAULT_CLIENT_IP_POLICY: ClientIpPolicy = { mode: 'truncate' };

/** Expands an IPv6 address into its eight 16-bit groups. */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0];
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => parseInt(group, 16));
}

/**
 * Truncates an address to its network: the /24 of IPv4 (192.0.2.0) and the /48 of IPv6
 * (2001:db8:1::), the prefix most providers assign to one site. An IPv4-mapped IPv6 address is
 * truncated as IPv4.
 */
export function truncateIp(address: string): string {
  if (isIPv4(address)) return address.replace(/\.\d+$/, '.0');
  if (!isIPv6(address)) return '';
  const groups = ipv6Groups(address);
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) return `${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.0`;
  return `${groups.slice(0, 3).map((group) => group.toString(16)).join(':')}::`;
}

/** Applies the policy to an address; an empty or invalid address becomes ''. */
export function protectClientIp(address: string | undefined, policy: ClientIpPolicy): string {
  if (!address || (!isIPv4(address) && !isIPv6(address))) return '';
  switch (policy.mode) {
    case 'keep':
      return address;
    case 'drop':
      return '';
    case 'hash':
      if (!policy.hashKey) throw new Error('client IP mode "hash" needs a hash key; set CLIENT_IP_HASH_KEY');
      return `hmac-sha256:${createHmac('sha256', policy.hashKey).update(address.toLowerCase()).digest('hex')}`;
    case 'truncate':
      return truncateIp(address);
  }
}
