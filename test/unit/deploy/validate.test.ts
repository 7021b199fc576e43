import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePortOutput, runArgs } from '../../../src/deploy/runtime.js';
import { sizeCheck, smokeCheck, waitHealthy } from '../../../src/deploy/validate.js';

const fmt = (n: number): string => `${n}B`;

describe('sizeCheck', () => {
  it('judges the largest platform against the budget', () => {
    const sizes = [
      { platform: 'linux/amd64', bytes: 900 },
      { platform: 'linux/arm64', bytes: 1100 },
    ];
    expect(sizeCheck(sizes, 1000, fmt)).toEqual({
      check: 'size',
      status: 'fail',
      detail: '1100B (largest: linux/arm64) > budget 1000B',
    });
    expect(sizeCheck(sizes, 1100, fmt).status).toBe('pass');
    expect(sizeCheck([], 1, fmt).status).toBe('fail');
  });
});

describe('runtime arguments', () => {
  it('publishes only on loopback and passes the environment', () => {
    expect(runArgs('img@sha256:x', 3001, { A: '1' }, 'n')).toEqual([
      'run',
      '--detach',
      '--rm',
      '--name',
      'n',
      '--publish',
      '127.0.0.1::3001',
      '--env',
      'A=1',
      'img@sha256:x',
    ]);
    expect(parsePortOutput('0.0.0.0:1\n127.0.0.1:49153\n')).toBe(49153);
    expect(parsePortOutput('[::]:1\n')).toBeUndefined();
  });
});

describe('HTTP checks against a real server', () => {
  let server: Server;
  let base: string;
  let healthyAfter = 0;
  beforeAll(async () => {
    const start = Date.now();
    server = createServer((req, res) => {
      if (req.url === '/health') {
        res.statusCode = Date.now() - start >= healthyAfter ? 200 : 503;
        res.end('ok');
      } else if (req.url === '/api') {
        res.end('{"status":"ready"}');
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('waits until the health endpoint answers, and gives up after the timeout', async () => {
    healthyAfter = 300;
    expect(await waitHealthy(`${base}/health`, 10_000, 50)).toBeGreaterThanOrEqual(0);
    expect(await waitHealthy(`${base}/missing`, 300, 50)).toBeUndefined();
  });

  it('smoke tests check status and body', async () => {
    expect((await smokeCheck(base, { path: '/api', status: 200, contains: 'ready' })).status).toBe('pass');
    expect(await smokeCheck(base, { path: '/api', status: 200, contains: 'nope' })).toMatchObject({
      status: 'fail',
      detail: 'GET /api: body does not contain "nope"',
    });
    expect(await smokeCheck(base, { name: 'root', path: '/x', status: 200 })).toMatchObject({
      status: 'fail',
      detail: 'root: status 404, expected 200',
    });
  });
});
