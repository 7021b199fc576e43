/**
 * Serves a dashboard app on a socket: listens (a busy port is one clear error, not a stack trace),
 * reports the URL, and closes with its open keep-alive connections (a browser tab keeps some).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { NetworkError, UsageError } from '../../errors.js';
import { formatUrl, type ListenAddress } from './listen.js';

export interface RunningDashboard {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startDashboard(app: Hono, address: ListenAddress): Promise<RunningDashboard> {
  const server = createAdaptorServer({
    fetch: app.fetch,
    hostname: address.host,
    port: address.port,
  }) as Server;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const where = `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
      if (err.code === 'EADDRINUSE')
        reject(
          new UsageError(`cannot listen on ${where}: the port is already in use`, {
            hint: 'stop what is using it, or pick another port with --listen 127.0.0.1:PORT',
          }),
        );
      else if (err.code === 'EACCES')
        reject(
          new UsageError(`cannot listen on ${where}: permission denied`, {
            hint: 'ports below 1024 need privileges: pick another with --listen 127.0.0.1:PORT',
          }),
        );
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN')
        reject(
          new UsageError(`cannot listen on ${where}: no such local address`, {
            hint: 'use an address of this machine, e.g. --listen 127.0.0.1:3002',
          }),
        );
      else reject(new NetworkError(`cannot listen on ${where}: ${err.code ?? err.message}`, { cause: err }));
    };
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
