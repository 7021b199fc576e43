import type { Server } from 'node:net';

export interface Listening {
  /** 127.0.0.1:PORT */
  host: string;
  port: number;
}

/** Listen on 127.0.0.1 with an OS-assigned port (never a fixed one: suites run in parallel). */
export async function listenLocal(server: Server): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return { host: `127.0.0.1:${address.port}`, port: address.port };
}

/** Close `server`, dropping keep-alive and in-flight connections so close() cannot hang a test. */
export async function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve, reject) =>
    server.close((err) => (err ? reject(err) : resolve())),
  );
  server.closeAllConnections?.();
  await closed;
}

/** What every in-process test server hands back. */
export interface TestServer {
  /** http://127.0.0.1:PORT (no trailing slash) */
  url: string;
  /** 127.0.0.1:PORT */
  host: string;
  stop(): Promise<void>;
}
