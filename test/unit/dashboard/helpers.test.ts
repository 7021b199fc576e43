import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { escapeHtml, html, trusted } from '../../../src/monitor/dashboard/html.js';
import { formatUrl, isLoopbackHost, parseListen } from '../../../src/monitor/listen.js';
import { cachedProbes, probeTargets } from '../../../src/monitor/dashboard/probes.js';
import type { HealthResult } from '../../../src/monitor/health.js';

describe('html', () => {
  it('escapes interpolations, not nested html or trusted markup', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${['<', 1, null, undefined, false]}${trusted('<hr>')}</p>`.value).toBe(
      '<p><b>&lt;i&gt;</b>&lt;1<hr></p>',
    );
  });
});

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:3002', { host: '127.0.0.1', port: 3002 }],
    [':8080', { host: '127.0.0.1', port: 8080 }],
    ['8080', { host: '127.0.0.1', port: 8080 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['[::1]:3002', { host: '::1', port: 3002 }],
    ['0.0.0.0:3002', { host: '0.0.0.0', port: 3002 }],
  ])('%s', (text, expected) => expect(parseListen(text)).toEqual(expected));

  it.each(['', 'localhost', '127.0.0.1:', '127.0.0.1:99999', 'a:b:3002', '[::1]', 'http://x:1'])(
    'rejects %j with a UsageError',
    (text) => expect(() => parseListen(text)).toThrow(UsageError),
  );

  it('loopback and URLs', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '192.168.1.2', '::', 'example.com'].some(isLoopbackHost)).toBe(false);
    expect(formatUrl('127.0.0.1', 3002)).toBe('http://127.0.0.1:3002/');
    expect(formatUrl('::1', 3002)).toBe('http://[::1]:3002/');
  });
});

describe('probeTargets', () => {
  it('flags win over the config', () => {
    expect(
      probeTargets(['a.example', 'a.example', 'b.example:5000'], { registries: { 'c.example': {} } }),
    ).toEqual(['a.example', 'b.example:5000']);
  });

  it('from the config: registries, monitoring.probes, service images, the default registry', () => {
    const config = {
      registry: 'ghcr.io',
      registries: { 'registry.internal:5000': { insecure: true } },
      monitoring: { probes: ['mirror.example'] },
      services: {
        api: { image: 'quay.io/acme/api' },
        web: {},
        worker: 'registry.internal:5000/acme/worker:1',
        broken: { image: 'UPPER/Case' },
      },
    };
    expect(probeTargets(undefined, config)).toEqual([
      'registry.internal:5000',
      'mirror.example',
      'quay.io',
      'ghcr.io',
    ]);
    expect(probeTargets([], { services: [{ name: 'x', image: 'acme/x' }] })).toEqual(['docker.io']);
  });

  it('nothing configured: nothing probed (the dashboard works offline)', () => {
    expect(probeTargets(undefined, {})).toEqual([]);
    expect(probeTargets(undefined, undefined)).toEqual([]);
  });
});

describe('cachedProbes', () => {
  it('reuses a result until the TTL passes, shares a run in flight, does not cache failures', async () => {
    let clock = 0;
    let runs = 0;
    let fail = true;
    const result: HealthResult[] = [{ registry: 'r', healthy: true, reachable: true, samples: 1 }];
    const get = cachedProbes(
      () => {
        runs++;
        return fail ? Promise.reject(new Error('down')) : Promise.resolve(result);
      },
      1000,
      () => new Date(clock),
    );
    await expect(get()).rejects.toThrow('down');
    fail = false;
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(runs).toBe(2);
    clock = 999;
    await get();
    expect(runs).toBe(2);
    clock = 1000;
    expect((await get()).at).toBe(new Date(1000).toISOString());
    expect(runs).toBe(3);
  });
});
