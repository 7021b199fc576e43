/**
 * Deterministic stand-ins for the files of a real image: source-like text, binaries and
 * compressed archives, each seeded by a name. Real-looking sizes and compression ratios matter
 * more than the content: the analysis and recommendations are about bytes. Pure.
 */

/** FNV-1a: a stable 32-bit seed from a name. */
function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, and the same sequence on every machine. */
export function prng(name: string): () => number {
  let a = seedOf(name);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYWORDS = [
  'const',
  'return',
  'function',
  'await',
  'async',
  'if',
  'else',
  'for',
  'new',
  'this',
  'typeof',
  'null',
  'undefined',
  '=>',
  '===',
  'let',
  'export',
  'import',
  'from',
];
const SYLLABLES =
  'ba co de fi gu ha ji ka lo me nu pa qui ro sa te vu wi xo ze ar en il on us st tr pl ch sh'.split(' ');

/**
 * Source-like text of `size` bytes: keywords and a few hundred made-up identifiers, which gzip
 * shrinks about 3:1 like real JavaScript. (A tiny vocabulary would compress better but makes
 * gzip -9 crawl.)
 */
export function sourceText(name: string, size: number): Buffer {
  const rnd = prng(name);
  const at = (list: readonly string[]): string => list[Math.floor(rnd() * list.length)]!;
  const vocabulary: string[] = [];
  for (let i = 0; i < 600; i++) {
    let word = '';
    for (let n = 2 + Math.floor(rnd() * 3); n > 0; n--) word += at(SYLLABLES);
    vocabulary.push(rnd() < 0.3 ? word + at(SYLLABLES).toUpperCase() : word);
  }
  const out = Buffer.alloc(size + 512);
  let pos = 0;
  while (pos < size) {
    let line = ' '.repeat(Math.floor(rnd() * 4) * 2);
    const n = 2 + Math.floor(rnd() * 6);
    for (let k = 0; k < n; k++) {
      line += rnd() < 0.35 ? at(KEYWORDS) : at(vocabulary);
      if (k + 1 < n) line += rnd() < 0.7 ? ' ' : '.';
    }
    line += rnd() < 0.5 ? `(${Math.floor(rnd() * 1000)});\n` : ';\n';
    pos += out.write(line, pos);
  }
  return out.subarray(0, size);
}

const SEGMENTS =
  'AAAA SAASA CAAC GAAG EAAE KAAK IAAI OAAO MAAM QAAQ UAAU YAAY gBAAgB kBAAkB oBAAoB sBAAsB wBAAwB EAAEA KAAKA IAAIA CAACA GAAGA SAAS WAAW aAAa cAAc'.split(
    ' ',
  );

/** A source map of `size` bytes: mostly base64 VLQ `mappings`, which compress very well. */
export function sourceMap(name: string, size: number): Buffer {
  const rnd = prng(name);
  const out = Buffer.alloc(size + 64);
  let pos = out.write(`{"version":3,"file":"${name}","sources":["webpack://app/${name}"],"mappings":"`, 0);
  while (pos < size)
    pos += out.write(SEGMENTS[Math.floor(rnd() * SEGMENTS.length)]! + (rnd() < 0.1 ? ';' : ','), pos);
  return out.subarray(0, size);
}

/**
 * Binary-like bytes of `size`: random runs mixed with zero padding and repeated tables, so it
 * compresses a little (about 1.5:1), as executables and shared libraries do.
 */
export function binaryBytes(name: string, size: number): Buffer {
  const rnd = prng(name);
  const out = Buffer.alloc(size);
  let i = 0;
  while (i < size) {
    const kind = rnd();
    const run = Math.min(size - i, 64 + Math.floor(rnd() * 1024));
    if (kind < 0.6) {
      for (let j = 0; j < run; j++) out[i + j] = Math.floor(rnd() * 256);
    } else if (kind < 0.8) {
      // zero padding between sections: already zero
    } else {
      const period = 4 + Math.floor(rnd() * 12);
      for (let j = 0; j < run; j++) out[i + j] = (j % period) * 17;
    }
    i += run;
  }
  return out;
}

/** Bytes that do not compress at all: packages (.deb), images, compressed caches. */
export function incompressible(name: string, size: number): Buffer {
  const rnd = prng(name);
  const out = Buffer.alloc(size + 4);
  for (let i = 0; i < size; i += 4) out.writeUInt32LE(Math.floor(rnd() * 4294967296), i);
  return out.subarray(0, size);
}
