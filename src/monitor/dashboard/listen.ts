/** `--listen` addresses: `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT`. Pure. */
import { UsageError } from '../../errors.js';

export const DEFAULT_LISTEN = '127.0.0.1:3002';

export interface ListenAddress {
  /** As given to listen(): no brackets around IPv6. */
  host: string;
  /** 0: any free port. */
  port: number;
}

const HINT = 'use HOST:PORT, e.g. 127.0.0.1:3002 (or :0 for any free port)';

export function parseListen(text: string): ListenAddress {
  const t = text.trim();
  // A bare port is `:PORT` without the colon.
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(/^\d+$/.test(t) ? `:${t}` : t);
  if (!m) throw new UsageError(`invalid listen address "${text}"`, { hint: HINT });
  const port = Number(m[3]);
  if (port > 65535)
    throw new UsageError(`invalid listen address "${text}": port ${port} is above 65535`, { hint: HINT });
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** `http://HOST:PORT/`, with brackets for IPv6. */
export function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}
