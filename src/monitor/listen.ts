/**
 * Serving HTTP for the exporter and the dashboard: `--listen` parsing, a listen that turns a busy
 * port into one clear error rather than a stack trace, a close that also drops the keep-alive
 * connections Prometheus and browsers hold, and waiting for Ctrl-C or SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { NetworkError, UsageError } from '../errors.js';

export interface ListenAddress {
  /** As given to listen(): no brackets around IPv6. */
  host: string;
  /** 0: any free port. */
  port: number;
}

/** `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT` (host 127.0.0.1). `example` is the command's default. Pure. */
export function parseListen(text: string, example = '127.0.0.1:3002'): ListenAddress {
  const hint = `use HOST:PORT, e.g. ${example} (or 127.0.0.1:0 for any free port)`;
  const t = text.trim();
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(/^\d+$/.test(t) ? `:${t}` : t);
  if (!m) throw new UsageError(`invalid listen address "${text}"`, { hint });
  const port = Number(m[3]);
  if (port > 65535)
    throw new UsageError(`invalid listen address "${text}": port ${port} is above 65535`, { hint });
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

export interface Listening {
  /** `http://HOST:PORT/` */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

function listenError(err: NodeJS.ErrnoException, where: string, example: string): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new UsageError(`cannot listen on ${where}: the port is already in use`, {
        hint: 'stop what is using it, or pick another port with --listen 127.0.0.1:PORT',
      });
    case 'EACCES':
      return new UsageError(`cannot listen on ${where}: permission denied`, {
        hint: 'ports below 1024 need privileges: pick another with --listen 127.0.0.1:PORT',
      });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UsageError(`cannot listen on ${where}: no such local address`, {
        hint: `use an address of this machine, e.g. --listen ${example}`,
      });
    default:
      return new NetworkError(`cannot listen on ${where}: ${err.code ?? err.message}`, { cause: err });
  }
}

/** Serves a fetch handler (a hono app's `fetch`) on `address`. */
export async function listenHttp(
  fetch: (request: Request) => Response | Promise<Response>,
  address: ListenAddress,
  example = '127.0.0.1:3002',
): Promise<Listening> {
  const server = createAdaptorServer({ fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    const where = `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
    const onError = (err: NodeJS.ErrnoException): void => reject(listenError(err, where, example));
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
  const info = server.address() as AddressInfo;
  return {
    url: formatUrl(info.address, info.port),
    host: info.address,
    port: info.port,
    async close() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Resolves on Ctrl-C (the context's signal) or SIGTERM (a service manager stopping us). */
export function untilStopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.removeListener('SIGTERM', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', done, { once: true });
    process.once('SIGTERM', done);
  });
}
