import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { DEFAULT_CI_RULES, evaluateCi, parseDiveCi, validateCiRules } from '../../../src/analyze/ci.js';
import { parseHumanBytes } from '../../../src/analyze/bytes.js';
import type { DiveMetrics } from '../../../src/analyze/efficiency.js';

const metrics = (m: Partial<DiveMetrics>): DiveMetrics => ({
  efficiency: 1,
  sizeBytes: 0,
  userSizeBytes: 0,
  wastedBytes: 0,
  reclaimableBytes: 0,
  userWastedPercent: 0,
  inefficiencies: [],
  ...m,
});

describe('dive CI rules', () => {
  it('defaults: lowest-efficiency 0.9, highest-wasted-bytes disabled, highest-user-wasted-percent 0.1', () => {
    expect(DEFAULT_CI_RULES).toEqual({
      'lowest-efficiency': '0.9',
      'highest-wasted-bytes': 'disabled',
      'highest-user-wasted-percent': '0.1',
    });
    const e = evaluateCi(metrics({ efficiency: 0.95, userWastedPercent: 0.05 }), { ...DEFAULT_CI_RULES });
    expect(e).toEqual({
      pass: true,
      rules: [
        { rule: 'lowest-efficiency', status: 'PASS', threshold: '0.9', message: '0.9' },
        { rule: 'highest-wasted-bytes', status: 'SKIP', threshold: 'disabled', message: 'rule disabled' },
        { rule: 'highest-user-wasted-percent', status: 'PASS', threshold: '0.1', message: '0.1' },
      ],
    });
  });

  it('fails with dive’s messages; comparisons are strict as in dive', () => {
    const e = evaluateCi(
      metrics({ efficiency: 0.6730769230769231, wastedBytes: 850, userWastedPercent: 850 / 600 }),
      {
        'lowest-efficiency': '0.9',
        'highest-wasted-bytes': '800',
        'highest-user-wasted-percent': '0.1',
      },
    );
    expect(e.pass).toBe(false);
    expect(e.rules.map((r) => [r.status, r.message])).toEqual([
      ['FAIL', 'image efficiency is too low (efficiency=0.67 < threshold=0.9)'],
      ['FAIL', 'too many bytes wasted (wasted-bytes=850 > threshold=800)'],
      [
        'FAIL',
        'too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=1.42 > threshold=0.1)',
      ],
    ]);
    // Equal to the threshold passes (dive uses > and <).
    const edge = evaluateCi(metrics({ efficiency: 0.9, wastedBytes: 850, userWastedPercent: 0.1 }), {
      'lowest-efficiency': '0.9',
      'highest-wasted-bytes': '850B',
      'highest-user-wasted-percent': '0.1',
    });
    expect(edge.pass).toBe(true);
    // Infinity (user layers empty, bytes wasted) fails like dive's +Inf.
    expect(evaluateCi(metrics({ userWastedPercent: Infinity }), { ...DEFAULT_CI_RULES }).pass).toBe(false);
  });

  it('"", disabled, off and false disable a rule', () => {
    for (const off of ['', 'disabled', 'OFF', 'false']) {
      const e = evaluateCi(metrics({ efficiency: 0 }), { ...DEFAULT_CI_RULES, 'lowest-efficiency': off });
      expect(e.rules[0]?.status).toBe('SKIP');
    }
  });

  it('rejects bad values before anything is downloaded', () => {
    expect(() => validateCiRules({ ...DEFAULT_CI_RULES, 'lowest-efficiency': '1.5' })).toThrow(
      /lowest-efficiency value is outside the allowed range \(0-1\), given "1.5"/,
    );
    expect(() => validateCiRules({ ...DEFAULT_CI_RULES, 'highest-user-wasted-percent': 'lots' })).toThrow(
      UsageError,
    );
    expect(() => validateCiRules({ ...DEFAULT_CI_RULES, 'highest-wasted-bytes': '20 parsecs' })).toThrow(
      /highest-wasted-bytes: "20 parsecs" is not a size/,
    );
  });
});

describe('.dive-ci', () => {
  it('reads the current kebab-case keys', () => {
    const f = parseDiveCi(
      'rules:\n  lowest-efficiency: 0.95\n  highest-wasted-bytes: 20MB\n  highest-user-wasted-percent: "0.20"\n',
    );
    expect(f).toEqual({
      rules: {
        'lowest-efficiency': '0.95',
        'highest-wasted-bytes': '20MB',
        'highest-user-wasted-percent': '0.20',
      },
      warnings: [],
    });
  });

  it('reads the legacy camelCase keys (README example) with a deprecation warning', () => {
    const f = parseDiveCi(
      'rules:\n  # If the efficiency is measured below X%, mark as failed.\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: 0.20\n',
      'ci/.dive-ci',
    );
    expect(f.rules).toEqual({
      'lowest-efficiency': '0.95',
      'highest-wasted-bytes': '20MB',
      'highest-user-wasted-percent': '0.2',
    });
    expect(f.warnings).toEqual([
      'ci/.dive-ci: "lowestEfficiency" is deprecated, use "lowest-efficiency"',
      'ci/.dive-ci: "highestWastedBytes" is deprecated, use "highest-wasted-bytes"',
      'ci/.dive-ci: "highestUserWastedPercent" is deprecated, use "highest-user-wasted-percent"',
    ]);
  });

  it('accepts lowest-efficiency-threshold, booleans and nulls; warns about unknown keys; rejects bad YAML', () => {
    const f = parseDiveCi(
      'rules:\n  lowest-efficiency-threshold: 0.8\n  highest-user-wasted-percent: false\n  highest-wasted-bytes:\n  typo: 1\n',
    );
    expect(f.rules).toEqual({
      'lowest-efficiency': '0.8',
      'highest-user-wasted-percent': 'false',
      'highest-wasted-bytes': '',
    });
    expect(f.warnings).toEqual(['.dive-ci: unknown rule "typo" ignored']);
    expect(parseDiveCi('')).toEqual({ rules: {}, warnings: [] });
    expect(() => parseDiveCi('rules: [1, 2')).toThrow(/\.dive-ci is not valid YAML/);
    expect(() => parseDiveCi('- a\n- b\n')).toThrow(/must be a YAML mapping/);
  });
});

describe('parseHumanBytes (go-humanize ParseBytes)', () => {
  it.each([
    ['20MB', 20_000_000],
    ['20 MB', 20_000_000],
    ['20mb', 20_000_000],
    ['20M', 20_000_000],
    ['20MiB', 20 * 1024 * 1024],
    ['1.5GB', 1_500_000_000],
    ['512', 512],
    ['512B', 512],
    ['1,000kB', 1_000_000],
  ])('%s → %d', (text, n) => {
    expect(parseHumanBytes(text)).toBe(n);
  });
});
