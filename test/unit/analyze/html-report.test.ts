/**
 * The HTML report renderer over real analyses (the hand-computed image of the other analysis
 * tests, and an image whose file names and commands are hostile markup): what it shows, that it
 * references nothing outside itself, and that no image-derived string reaches the page unescaped.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciLayoutTarget } from '../../../src/content/oci-layout.js';
import { analyzeImage, type ImageAnalysis } from '../../../src/analyze/analyze.js';
import { evaluateCi, DEFAULT_CI_RULES } from '../../../src/analyze/ci.js';
import { escapeHtml, layerChart, renderHtmlReport } from '../../../src/analyze/html-report.js';
import { lintImage } from '../../../src/analyze/lint.js';
import { makeImage, writeOciLayout } from '../../support/fixtures.js';
import { HAND_IMAGE, fixtureLayer } from '../../support/layer-fixtures.js';
import { makeTempDir, removeTempDir } from '../../support/lifecycle.js';

const EVIL_NAME = 'app/<script>alert(1)</script>.js';
const EVIL_DIR = 'app/"><img src=x onerror=alert(2)>/x';
const EVIL_COMMAND = '/bin/sh -c echo </title><script>alert(3)</script> && curl https://evil.example/x';

let dir: string;
let hand: ImageAnalysis;
let evil: ImageAnalysis;

beforeAll(async () => {
  dir = makeTempDir('html-report-unit');
  const handImage = makeImage({
    layers: await Promise.all(HAND_IMAGE.map((l) => fixtureLayer(l, 'gzip'))),
    config: {
      history: [
        { created_by: '/bin/sh -c #(nop) ADD file:base in / ' },
        { created_by: '/bin/sh -c cp /etc/os-release /app/copy-of-release' },
        { created_by: '/bin/sh -c rm -rf /app/config.json' },
      ],
    },
  });
  const evilImage = makeImage({
    layers: [
      await fixtureLayer([
        { path: EVIL_NAME, data: 'x'.repeat(5000) },
        { path: `${EVIL_DIR}`, data: 'y'.repeat(3000) },
        { path: 'usr/share/doc/a&b/README', data: 'z'.repeat(100) },
      ]),
      await fixtureLayer([{ path: EVIL_NAME, data: 'x'.repeat(6000) }]),
    ],
    config: { history: [{ created_by: EVIL_COMMAND }, { created_by: '/bin/sh -c touch \u0007bell' }] },
  });
  await writeOciLayout(join(dir, 'layout'), [
    { tag: 'hand', imageOrIndex: handImage },
    { tag: 'evil', imageOrIndex: evilImage },
  ]);
  const target = await OciLayoutTarget.open(join(dir, 'layout'));
  hand = await analyzeImage(target, 'hand');
  evil = await analyzeImage(target, 'evil');
});
afterAll(() => removeTempDir(dir));

/** Every tag name and every attribute name in the page (a crude but strict tokenizer). */
function tags(html: string): { name: string; attrs: string[] }[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)].map((m) => ({
    name: m[1]!.toLowerCase(),
    attrs: [...m[2]!.matchAll(/\s([a-zA-Z-:]+)(?==|\s|\/?$)/g)].map((a) => a[1]!.toLowerCase()),
  }));
}

describe('escapeHtml', () => {
  it('escapes markup characters, quotes included', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
  it('replaces control characters and lone surrogates, keeps tabs, newlines and real pairs', () => {
    expect(escapeHtml('a\u0000b\u0007c\td\ne\u007f')).toBe('a\ufffdb\ufffdc\td\ne\ufffd');
    expect(escapeHtml('x\ud800y\udc00z😀')).toBe('x\ufffdy\ufffdz😀');
  });
});

describe('renderHtmlReport', () => {
  it('is one document with inline CSS and SVG, a CSP forbidding every fetch, and no URL at all', () => {
    const html = renderHtmlReport('oci:layout:hand', hand);
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain("content=\"default-src 'none'; style-src 'unsafe-inline'");
    expect(html).toMatch(/<style>[^<]+<\/style>/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\b(src|href|action|xlink:href)\s*=/i);
    const names = new Set(tags(html).map((t) => t.name));
    for (const forbidden of ['script', 'link', 'img', 'iframe', 'object', 'embed', 'base', 'form']) {
      expect(names.has(forbidden), forbidden).toBe(false);
    }
    expect(html).not.toMatch(/url\(/);
  });

  it('shows the summary, every layer, the largest files, the waste table and the reclaimable causes', () => {
    const html = renderHtmlReport('oci:layout:hand', hand);
    expect(html).toContain('<h1>oci:layout:hand</h1>');
    expect(html).toContain(hand.digest);
    expect(html).toContain('67.31 %'); // efficiency 1750/2600
    expect(html).toContain('<div class="v">850 B</div><div class="k">wasted bytes (dive)</div>');
    // One chart row and one table row per layer, with the history command.
    expect(html.match(/<rect class="bar-stored"/g)).toHaveLength(3);
    expect(html).toContain('cp /etc/os-release /app/copy-of-release');
    // Largest files of the final filesystem, biggest first, with the layer that supplied them.
    const largest = /<h2 id="largest">[\s\S]*?<\/table>/.exec(html)![0];
    const paths = [...largest.matchAll(/<td class="mono path">([^<]+)<\/td>/g)].map((m) => m[1]);
    expect(paths).toEqual([
      '/var/cache/apt/pkgcache.bin',
      '/app/copy-of-release', // a tie at 100 B: by path
      '/etc/os-release',
      '/app/data/c.txt',
    ]);
    expect(largest).toContain('<td class="n">1.00 KB</td><td class="n">1</td>');
    // dive's inefficiency row for /app/config.json: 3 copies, 850 B, layers 1,2,3.
    expect(html).toMatch(
      /<td class="n">3<\/td><td class="n">850 B<\/td><td class="n">850 B<\/td><td class="n">1,2,3<\/td><td class="mono path">\/app\/config\.json<\/td>/,
    );
    for (const title of [
      'files deleted by a later layer',
      'files replaced by a later layer',
      'identical content added again by a later layer',
      'package manager caches',
    ]) {
      expect(html).toContain(`<b>${title}</b>`);
    }
    expect(html).toContain('Reclaimable space: 2.45 KB');
    expect(html).not.toContain('id="ci"');
    expect(html).not.toContain('id="lint"');
  });

  it('adds the CI evaluation and lint findings when given', () => {
    const ci = evaluateCi(hand.dive, { ...DEFAULT_CI_RULES });
    const lint = lintImage({
      image: 'oci:layout:hand',
      config: hand.config,
      tree: hand.tree,
      layers: hand.scans,
    });
    const html = renderHtmlReport('oci:layout:hand', hand, { ci, lint });
    expect(html).toContain('CI evaluation: <span class="fail">FAIL</span>');
    expect(html).toMatch(/<td class="fail">FAIL<\/td><td class="mono">lowest-efficiency<\/td>/);
    expect(html).toContain('<h2 id="lint">Lint findings</h2>');
    for (const c of lint.checks.filter((x) => x.level === 'WARN' || x.level === 'FATAL')) {
      expect(html).toContain(`<td class="mono">${c.code}</td>`);
    }
  });

  it('escapes hostile file names and commands everywhere they appear', () => {
    const html = renderHtmlReport('oci:layout:evil', evil);
    // Nothing from the image became an element or an attribute.
    const found = tags(html);
    expect(found.some((t) => t.name === 'script' || t.name === 'img')).toBe(false);
    expect(found.some((t) => t.attrs.some((a) => a.startsWith('on')))).toBe(false);
    expect(html.match(/<title>/g)).toHaveLength(1 + evil.layers.length); // the page's + one per chart bar
    // The strings are there, as text.
    expect(html).toContain('/app/&lt;script&gt;alert(1)&lt;/script&gt;.js');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('echo &lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(html).toContain('/usr/share/doc/a&amp;b/README');
    expect(html).toContain('touch \ufffdbell');
    expect(html).not.toContain('\u0007');
    // The URL in the command is inert text, never a link.
    expect(html).toContain('curl https://evil.example/x');
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?https?:/i);
  });

  it('hostile reference names are escaped in the title and heading too', () => {
    const html = renderHtmlReport('oci:</title><script>x</script>:t', evil);
    expect(html).toContain(
      '<title>Image analysis: oci:&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;:t</title>',
    );
    expect(html).not.toContain('<script>');
  });

  it('is deterministic, and the footer date appears only when given', () => {
    expect(renderHtmlReport('r', hand)).toBe(renderHtmlReport('r', hand));
    const at = new Date('2026-01-02T03:04:05.000Z');
    expect(renderHtmlReport('r', hand, { generatedAt: at })).toContain('on 2026-01-02T03:04:05.000Z');
    expect(renderHtmlReport('r', hand)).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });

  it('limits the lists to `top` rows and says how many there were', () => {
    const html = renderHtmlReport('r', hand, { top: 1 });
    const largest = /<h2 id="largest">[\s\S]*?<\/table>/.exec(html)![0];
    expect(largest.match(/<tr><td/g)).toHaveLength(1);
    expect(html).toMatch(/largest 1 of 3/);
  });
});

describe('layerChart', () => {
  const layer = (index: number, stored: number, unc: number) => ({
    index,
    digest: `sha256:${String(index).repeat(64)}`,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    diffId: '',
    compression: 'gzip' as const,
    compressionMismatch: false,
    storedBytes: stored,
    uncompressedBytes: unc,
    contentBytes: unc,
    entries: 1,
    whiteouts: 0,
    opaqueDirs: 0,
    command: 'RUN x',
  });

  it('scales bars to the largest layer; empty layers get no bar, tiny ones at least a pixel', () => {
    const svg = layerChart([layer(0, 500, 1000), layer(1, 0, 0), layer(2, 1, 2)]);
    const widths = (cls: string) =>
      [...svg.matchAll(new RegExp(`class="${cls}" [^>]*width="(\\d+)"`, 'g'))].map((m) => Number(m[1]));
    expect(widths('bar-unc')).toEqual([640, 0, 1]);
    expect(widths('bar-stored')).toEqual([320, 0, 1]);
    expect(svg).toContain('viewBox="0 0 988 76"');
  });

  it('renders an image without layers', () => {
    expect(layerChart([])).toMatch(/^<svg [^>]*viewBox="0 0 988 28"[^>]*><\/svg>$/);
  });
});
