/**
 * Facts about a registry string ("ghcr.io", "localhost:5000", "[::1]:5000") that the transport layer
 * needs: where to connect, whether it is this machine, and whether two spellings are the same registry.
 */

import { ReferenceError } from '../errors.js';
import { checkRegistry, splitRegistry } from './grammar.js';
import { DEFAULT_REGISTRY, LEGACY_DEFAULT_REGISTRY } from './normalize.js';

export interface RegistryOrigin {
  /** "host[:port]" exactly as given, ready for a URL authority ("[::1]:5000"). */
  readonly host: string;
  /** The name to resolve or connect to: no port, and IPv6 without brackets ("::1"). */
  readonly hostname: string;
  readonly port?: number;
}

export function registryOrigin(registry: string): RegistryOrigin {
  const problem = checkRegistry(registry);
  if (problem !== undefined) throw new ReferenceError(registry, problem.part, problem.reason);
  // checkRegistry has already refused everything splitRegistry cannot split.
  const parts = splitRegistry(registry) ?? { host: registry, port: undefined };
  const hostname = parts.host.startsWith('[') ? parts.host.slice(1, -1) : parts.host;
  return {
    host: registry,
    hostname,
    ...(parts.port === undefined ? {} : { port: Number(parts.port) }),
  };
}

/**
 * Whether the registry is on this machine: localhost, 127.0.0.0/8 or ::1, with or without a port.
 * Invalid registries are not loopback. Only literal addresses count; names that merely resolve to
 * loopback (or "*.localhost") are not trusted, because that would depend on the resolver.
 */
export function isLoopbackRegistry(registry: string): boolean {
  if (checkRegistry(registry) !== undefined) return false;
  const hostname = registryOrigin(registry).hostname.toLowerCase();
  return hostname === 'localhost' || isIPv4Loopback(hostname) || isIPv6Loopback(hostname);
}

function isIPv4Loopback(hostname: string): boolean {
  const octets = hostname.split('.');
  return (
    octets.length === 4 &&
    octets[0] === '127' &&
    octets.every((octet) => /^[0-9]{1,3}$/.test(octet) && Number(octet) <= 255)
  );
}

/** True for every spelling of ::1 ("::1", "0:0:0:0:0:0:0:1", "0::0001", ...). */
function isIPv6Loopback(address: string): boolean {
  const groups = expandIPv6(address);
  return groups !== undefined && groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1;
}

/** The eight 16-bit groups of an IPv6 address written with hex groups and at most one "::". */
function expandIPv6(address: string): number[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = splitGroups(halves[0] ?? '');
  const tail = splitGroups(halves[1] ?? '');
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  return groups.map((group) => parseInt(group, 16));
}

function splitGroups(text: string): string[] {
  return text === '' ? [] : text.split(':');
}

/**
 * A comparison key for registries. Docker keeps the host as typed (so "GHCR.io" round-trips), but DNS
 * names are case-insensitive and index.docker.io is Docker Hub, so keys fold both.
 */
export function registryKey(registry: string): string {
  const lower = registry.toLowerCase();
  return lower === LEGACY_DEFAULT_REGISTRY ? DEFAULT_REGISTRY : lower;
}

export function sameRegistry(a: string, b: string): boolean {
  return registryKey(a) === registryKey(b);
}
