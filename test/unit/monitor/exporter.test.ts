import { describe, expect, it } from 'vitest';
import { createExporter, parseListenAddress } from '../../../src/monitor/exporter.js';
import { summarizeEvents } from '../../../src/monitor/store-metrics.js';
import { UsageError } from '../../../src/errors.js';
import type { HealthResult } from '../../../src/monitor/health.js';

const healthy = (registry: string): HealthResult => ({
  registry,
  healthy: true,
  reachable: true,
  authOk: true,
  samples: 1,
  latencyMs: { p50: 1, p95: 2, min: 1, max: 2 },
});

describe('createExporter', () => {
  it('serves /metrics from the collectors and keeps serving probes when the store throws', async () => {
    let storeReads = 0;
    const exporter = createExporter({
      version: '1.0.0',
      probes: { registries: ['a.example'], probe: (r) => Promise.resolve(healthy(r)) },
      store: {
        summary: () => {
          storeReads++;
          return Promise.reject(new Error('file is not a database'));
        },
        close: () => Promise.resolve(),
      },
    });
    try {
      await exporter.refresh();
      const res = await exporter.app.request('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toContain('ghcr_optimize_registry_up{registry="a.example"} 1');
      expect(text).toContain('ghcr_optimize_store_up 0');
      expect(text).toContain('ghcr_optimize_collector_up{collector="store"} 0');
      expect(storeReads).toBe(1);

      const health = await exporter.app.request('/healthz');
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'ok',
        collectors: [
          { name: 'probes', ok: true },
          { name: 'store', ok: false, error: 'file is not a database' },
        ],
      });
    } finally {
      await exporter.stop();
    }
  });

  it('drops stale store figures once the store fails, and reports them again when it recovers', async () => {
    let fail = false;
    const exporter = createExporter({
      version: '1.0.0',
      store: {
        summary: (now) =>
          fail
            ? Promise.reject(new Error('down'))
            : Promise.resolve(
                summarizeEvents(
                  [
                    {
                      kind: 'scan',
                      at: now,
                      subject: 'x/y',
                      data: { counts: { HIGH: 3 } },
                      durationMs: null,
                      ok: true,
                    },
                  ],
                  now,
                ),
              ),
        close: () => Promise.resolve(),
      },
    });
    try {
      await exporter.refresh();
      expect(await (await exporter.app.request('/metrics')).text()).toContain(
        'ghcr_optimize_vulnerabilities{repository="x/y",severity="HIGH"} 3',
      );
      fail = true;
      await exporter.refresh();
      const text = await (await exporter.app.request('/metrics')).text();
      expect(text).toContain('ghcr_optimize_store_up 0');
      expect(text).not.toContain('ghcr_optimize_vulnerabilities{');
      fail = false;
      await exporter.refresh();
      expect(await (await exporter.app.request('/metrics')).text()).toContain('ghcr_optimize_store_up 1');
    } finally {
      await exporter.stop();
    }
  });
});

describe('parseListenAddress', () => {
  it('accepts HOST:PORT, [IPv6]:PORT, :PORT and PORT', () => {
    expect(parseListenAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListenAddress(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('refuses anything else with a usage error', () => {
    for (const bad of ['', 'host', '127.0.0.1:99999', 'http://x:1', '1.2.3.4:']) {
      expect(() => parseListenAddress(bad), bad).toThrow(UsageError);
    }
  });
});
