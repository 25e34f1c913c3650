import ipaddr from 'ipaddr.js';
import { FramewiseError } from '../core/errors.ts';

/**
 * Which network addresses a job's URL may reach. `public`: only global unicast addresses, by ipaddr.js's ranges
 * after unmapping IPv4-mapped IPv6 (`::ffff:127.0.0.1` is loopback): loopback, private, link-local (cloud metadata
 * at 169.254.169.254 among them), carrier-grade NAT, unique-local, multicast, reserved, and the IPv6 ranges that
 * carry an IPv4 address inside (NAT64, 6to4, Teredo) are all refused. `allow` names ranges (CIDR) that are let
 * through all the same: a media server on the server's own network, deliberately. `any` allows every address.
 */
export interface AddressRule {
  urls: 'public' | 'any';
  allow?: readonly string[];
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Parse `allow` once: each entry a CIDR (`10.1.2.0/24`) or a single address; IPv4-mapped ranges as IPv4. */
function allowedRanges(allow: readonly string[] | undefined): [Address, number][] {
  return (allow ?? []).map((entry) => {
    try {
      const [address, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : [ipaddr.parse(entry), entry.includes(':') ? 128 : 32];
      const plain = unmapped(address);
      return [plain, plain === address ? bits : Math.max(0, bits - 96)];
    } catch {
      throw new FramewiseError('invalid-argument', `"${entry}" is not an address or CIDR range (e.g. 10.0.0.5 or 10.0.0.0/24)`);
    }
  });
}

function unmapped(address: Address): Address {
  return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}

/** A check of resolved addresses: returns why an address may not be reached, or null when it may. */
export type AddressCheck = (address: string) => string | null;

/** Build the check for a rule (throws on a malformed `allow` entry, so a server refuses to start with one). */
export function addressCheck(rule: AddressRule): AddressCheck {
  const ranges = allowedRanges(rule.allow);
  return (text: string): string | null => {
    if (rule.urls === 'any') return null;
    let address: Address;
    try {
      address = ipaddr.process(text.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
    } catch {
      return `"${text}" is not an IP address`;
    }
    for (const [range, bits] of ranges) if (range.kind() === address.kind() && address.match([range, bits])) return null;
    const kind = address.range();
    if (kind === 'unicast') return null;
    return `${address.toString()} is a ${kind} address (the server's own network or a special range): only public hosts are read`;
  };
}
