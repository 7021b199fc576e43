/** Host classification shared by the transport and the reference layer. */
import { isIP } from 'node:net';

/** Splits `host[:port]`, including bracketed IPv6 (`[::1]:5000`). */
export function splitHostPort(host: string): { hostname: string; port?: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (m) return m[2] ? { hostname: m[1]!, port: Number(m[2]) } : { hostname: m[1]! };
  const colon = host.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(host.slice(colon + 1))) {
    return { hostname: host.slice(0, colon), port: Number(host.slice(colon + 1)) };
  }
  return { hostname: host };
}

/** localhost, 127.0.0.0/8 and ::1 — where plain HTTP is the norm for test and dev registries. */
export function isLoopbackHost(host: string): boolean {
  const { hostname } = splitHostPort(host.toLowerCase());
  if (hostname === 'localhost') return true;
  if (isIP(hostname) === 4) return hostname.startsWith('127.');
  if (isIP(hostname) === 6) return hostname === '::1' || hostname === '0:0:0:0:0:0:0:1';
  return false;
}
