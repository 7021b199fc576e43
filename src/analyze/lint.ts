/**
 * Image lint with dockle's rule set, codes, titles, default levels and JSON shape
 * (goodwithtech/dockle `pkg/types/checkpoint.go`, `pkg/assessor/*`, `pkg/report/json.go`).
 * Config rules read the image config (user, env, healthcheck, volumes, history); file rules read
 * the merged filesystem from the layer walk (modes, names, and the small captured files
 * /etc/passwd, /etc/shadow, /etc/group, .npmrc). Pure: the environment (DOCKER_CONTENT_TRUST)
 * comes in as an option.
 *
 * Additions to dockle, all under its existing codes: secrets in the config's Env as well as in
 * history; user "0"/"0:0" counts as root; `.npmrc` files holding tokens and `.env` /
 * `.git-credentials` files are secret files; secret files deleted by a later layer are still
 * reported (their bytes remain in the lower layer's blob); LI-0003 matches a suspicious directory
 * anywhere above a file, not only as its parent.
 *
 * Checks of our own carry codes of our own, GHO-* (never a dockle code), at INFO: GHO-DI-0001 a
 * smaller base of the same kind exists (base-image.ts), GHO-DI-0002 a build toolchain ships in
 * the final image (a multi-stage build leaves it behind).
 */
import type { ImageConfig } from '../oci/schema.js';
import type { MergedTree } from './file-tree.js';
import type { LayerScan } from './layer-reader.js';
import { aboutMB, identifyBaseImage } from './base-image.js';
import { goFileMode } from './efficiency.js';
import { wasteCategoriesOf } from './waste.js';
import { basename, dirname } from './paths.js';

export type Level = 'FATAL' | 'WARN' | 'INFO' | 'SKIP' | 'PASS' | 'IGNORE';

export interface Checkpoint {
  code: string;
  title: string;
  level: Exclude<Level, 'SKIP' | 'PASS' | 'IGNORE'>;
}

export const CHECKPOINTS: readonly Checkpoint[] = [
  { code: 'CIS-DI-0001', title: 'Create a user for the container', level: 'WARN' },
  { code: 'CIS-DI-0005', title: 'Enable Content trust for Docker', level: 'INFO' },
  { code: 'CIS-DI-0006', title: 'Add HEALTHCHECK instruction to the container image', level: 'INFO' },
  { code: 'CIS-DI-0007', title: 'Do not use update instructions alone in the Dockerfile', level: 'FATAL' },
  { code: 'CIS-DI-0008', title: 'Confirm safety of setuid/setgid files', level: 'INFO' },
  { code: 'CIS-DI-0009', title: 'Use COPY instead of ADD in Dockerfile', level: 'FATAL' },
  { code: 'CIS-DI-0010', title: 'Do not store credential in environment variables/files', level: 'FATAL' },
  { code: 'DKL-DI-0001', title: 'Avoid sudo command', level: 'FATAL' },
  { code: 'DKL-DI-0002', title: 'Avoid sensitive directory mounting', level: 'FATAL' },
  { code: 'DKL-DI-0003', title: 'Avoid "apt-get dist-upgrade"', level: 'WARN' },
  { code: 'DKL-DI-0004', title: 'Use "apk add" with --no-cache', level: 'FATAL' },
  { code: 'DKL-DI-0005', title: 'Clear apt-get caches', level: 'FATAL' },
  { code: 'DKL-DI-0006', title: 'Avoid latest tag', level: 'WARN' },
  { code: 'DKL-LI-0001', title: 'Avoid empty password', level: 'FATAL' },
  { code: 'DKL-LI-0002', title: 'Be unique UID/GROUP', level: 'FATAL' },
  { code: 'DKL-LI-0003', title: 'Only put necessary files', level: 'INFO' },
  // Ours (ghcr-optimize), not dockle's.
  { code: 'GHO-DI-0001', title: 'Use a smaller base image', level: 'INFO' },
  {
    code: 'GHO-DI-0002',
    title: 'Use a multi-stage build: no build toolchain in the final image',
    level: 'INFO',
  },
];

const RANK: Record<Level, number> = { FATAL: 6, WARN: 5, INFO: 4, SKIP: 3, IGNORE: 2, PASS: 1 };

export interface LintInput {
  /** The reference as the user gave it, for the report. */
  image: string;
  /** The tag the image was read by, if any (DKL-DI-0006). */
  tag?: string;
  config: ImageConfig;
  /** The merged filesystem; without it, file rules are SKIP. */
  tree?: MergedTree;
  layers?: readonly LayerScan[];
}

export interface LintOptions {
  /** Codes to ignore (dockle --ignore / .dockleignore). */
  ignore?: readonly string[];
  /** Variable names that are not secrets (dockle --accept-key). */
  acceptKeys?: readonly string[];
  /** File base names that are not secrets (dockle --accept-file). */
  acceptFiles?: readonly string[];
  /** File extensions that are not secrets, without the dot (dockle --accept-file-extension). */
  acceptFileExtensions?: readonly string[];
  /** Extra words that make a variable name suspicious (dockle --sensitive-word). */
  sensitiveWords?: readonly string[];
  /** DOCKER_CONTENT_TRUST=1 in the environment (CIS-DI-0005 checks the host, as dockle does). */
  contentTrust?: boolean;
}

export interface CheckResult {
  code: string;
  title: string;
  level: Level;
  alerts: string[];
}

export interface LintReport {
  image: string;
  summary: { fatal: number; warn: number; info: number; skip: number; pass: number };
  details: { code: string; title: string; level: string; alerts: string[] }[];
}

export interface LintResult {
  /** dockle's JSON document. */
  report: LintReport;
  /** Every checkpoint in report order, PASS and IGNORE included. */
  checks: CheckResult[];
}

// ---- history parsing, as dockle tokenises RUN lines ----

/** dockle splits a command on "&&" and each part on spaces. */
function segments(createdBy: string): string[][] {
  return createdBy.split('&&').map((part) =>
    part
      .split(' ')
      .map((t) => t.trim())
      .filter((t) => t !== ''),
  );
}

function containsAll(tokens: readonly string[], needles: readonly string[]): boolean {
  return needles.every((n) => tokens.includes(n));
}

function containsAtLeast(tokens: readonly string[], needles: readonly string[], threshold: number): boolean {
  return needles.filter((n) => tokens.includes(n)).length >= threshold;
}

const aptCommand = (tokens: readonly string[], command: string): boolean =>
  containsAtLeast(tokens, ['apt-get', 'apt', command], 2);

const REMOVE_APT_LISTS = [
  'rm',
  '-rf',
  '-fr',
  '-r',
  '-fR',
  '/var/lib/apt/lists',
  '/var/lib/apt/lists/*',
  '/var/lib/apt/lists/*;',
];

function aptUpdateAlone(segs: string[][]): boolean {
  let updated = false;
  for (const s of segs) {
    if (!updated && aptCommand(s, 'update')) updated = true;
    if (updated && (aptCommand(s, 'install') || aptCommand(s, 'upgrade'))) return false;
  }
  return updated;
}

function aptListsKept(segs: string[][]): boolean {
  let touched = false;
  for (const s of segs) {
    if (!touched && (aptCommand(s, 'update') || aptCommand(s, 'install'))) touched = true;
    if (touched && containsAtLeast(s, REMOVE_APT_LISTS, 3)) return false;
  }
  return touched;
}

/** Shell-like words (quotes and backslashes), enough to find NAME=value assignments. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < text.length) word += text[++i];
      else word += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '\\' && i + 1 < text.length) word += text[++i];
    else word += ch;
  }
  if (inWord) words.push(word);
  return words;
}

const SUSPICIOUS_WORDS = ['PASS', 'PASSWD', 'PASSWORD', 'SECRET', 'KEY', 'ACCESS', 'TOKEN'];
const ACCEPTED_KEYS = ['GPG_KEY', 'GPG_KEYS'];

/**
 * A history command with the values of secret-looking assignments (`NPM_TOKEN=…`, as build args
 * appear in `|2 NPM_TOKEN=… /bin/sh -c …`) masked, for output that shows commands: the image
 * keeps the secret, but we do not repeat it.
 */
export function maskSecretAssignments(command: string): string {
  return command.replace(
    /(^|[\s|;&'"])([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s'";&|]+)/g,
    (all, pre: string, name: string) => {
      const upper = name.toUpperCase();
      if (ACCEPTED_KEYS.includes(name) || !SUSPICIOUS_WORDS.some((w) => upper.includes(w))) return all;
      return `${pre}${name}=*******`;
    },
  );
}

const SECRET_NAMES = [
  'credentials.json',
  'credential.json',
  'credentials',
  'credential',
  'password.txt',
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  'secret_token.rb',
  'carrierwave.rb',
  'omniauth.rb',
  'settings.py',
  'database.yml',
  'credentials.xml',
  '.env',
  '.git-credentials',
];
const SECRET_EXTENSIONS = [
  '.secret',
  '.ovpn',
  '.private_key',
  '.cscfg',
  '.rdp',
  '.mdf',
  '.sdf',
  '.bek',
  '.tpm',
  '.fve',
  '.jks',
  '.psafe3',
  '.agilekeychain',
  '.keychain',
  '.pcap',
  '.gnucache',
];
const NPM_TOKEN = /^\s*(\/\/[^\s=]*:)?(_authToken|_auth|_password)\s*=\s*\S/m;

const UNNECESSARY_FILES = ['Dockerfile', 'docker-compose.yml', '.vimrc', '.DS_Store'];
const SUSPICIOUS_DIRS = ['.cache', '.aws', '.azure', '.gcp', '.git', '.vscode', '.idea', '.npm'];
const UNCONTROLLABLE = /(^|\/)(node_modules|vendor)\//;
const SENSITIVE_VOLUMES = ['/sys', '/dev', '/proc'];

/** Go's `os.FileMode.String()`, e.g. "urwxr-xr-x" for a setuid 0755 file. */
export function goModeString(fileMode: number): string {
  const letters = 'dalTLDpSugct?';
  let out = '';
  for (let i = 0; i < letters.length; i++) {
    if (Math.floor(fileMode / 2 ** (31 - i)) % 2 === 1) out += letters[i];
  }
  if (out === '') out = '-';
  const rwx = 'rwxrwxrwx';
  for (let i = 0; i < 9; i++) out += fileMode & (1 << (8 - i)) ? rwx[i] : '-';
  return out;
}

function extensionOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i === -1 ? '' : name.slice(i);
}

function isRootUser(user: string | null | undefined): boolean {
  const u = (user ?? '').trim();
  if (u === '') return true;
  const name = u.split(':')[0];
  return name === 'root' || name === '0';
}

/** Runs every checkpoint. */
export function lintImage(input: LintInput, opts: LintOptions = {}): LintResult {
  const alerts = new Map<string, string[]>();
  const skipped = new Map<string, string>();
  const alert = (code: string, text: string): void => {
    const list = alerts.get(code);
    if (list) list.push(text);
    else alerts.set(code, [text]);
  };

  const cfg = input.config.config ?? {};
  const history = (input.config.history ?? []).map((h) => h.created_by ?? '');

  // CIS-DI-0001
  if (isRootUser(cfg.User)) alert('CIS-DI-0001', 'Last user should not be root');
  // CIS-DI-0005: the host's setting, as dockle does it.
  if (!opts.contentTrust) alert('CIS-DI-0005', 'export DOCKER_CONTENT_TRUST=1 before docker pull/build');
  // CIS-DI-0006
  if (!cfg.Healthcheck) alert('CIS-DI-0006', 'not found HEALTHCHECK statement');
  // DKL-DI-0002
  for (const volume of Object.keys(cfg.Volumes ?? {}).sort()) {
    if (SENSITIVE_VOLUMES.includes(volume)) alert('DKL-DI-0002', `Avoid mounting sensitive dirs : ${volume}`);
  }
  // DKL-DI-0006
  if (input.tag === 'latest') alert('DKL-DI-0006', "Avoid 'latest' tag");

  // History rules.
  const words = [...SUSPICIOUS_WORDS, ...(opts.sensitiveWords ?? [])].map((w) => w.toUpperCase());
  const accepted = new Set([...ACCEPTED_KEYS, ...(opts.acceptKeys ?? [])]);
  const suspicious = (name: string): boolean =>
    !accepted.has(name) && words.some((w) => name.toUpperCase().includes(w));
  const reportedKeys = new Set<string>();
  let firstAdd = true;
  history.forEach((createdBy) => {
    if (createdBy === '') return;
    const segs = segments(createdBy);
    if (createdBy.includes('=')) {
      for (const word of shellWords(createdBy.replaceAll('#', ''))) {
        const eq = word.indexOf('=');
        if (eq <= 0) continue;
        const name = word.slice(0, eq);
        const value = word.slice(eq + 1);
        if (value === '' || !suspicious(name)) continue;
        reportedKeys.add(name);
        alert(
          'CIS-DI-0010',
          `Suspicious ENV key found : ${name} on ${createdBy.replaceAll(value, '*******')} (You can suppress it with --accept-key)`,
        );
      }
    }
    if (segs.some((s) => containsAll(s, ['apk', 'add']) && !s.includes('--no-cache'))) {
      alert('DKL-DI-0004', `Use --no-cache option if use 'apk add': ${createdBy}`);
    }
    if (aptListsKept(segs)) {
      alert('DKL-DI-0005', `Use 'rm -rf /var/lib/apt/lists' after 'apt-get install|update' : ${createdBy}`);
    }
    if (aptUpdateAlone(segs)) {
      alert('CIS-DI-0007', `Always combine 'apt-get update' with 'apt-get install|upgrade' : ${createdBy}`);
    }
    if (segs.some((s) => containsAll(s, ['ADD', 'in']) || containsAll(s, ['ADD', 'buildkit']))) {
      // The first ADD is the base image's rootfs.
      if (firstAdd) firstAdd = false;
      else alert('CIS-DI-0009', `Use COPY : ${createdBy}`);
    }
    if (segs.some((s) => aptCommand(s, 'dist-upgrade'))) {
      alert('DKL-DI-0003', `Avoid dist-upgrade in container : ${createdBy}`);
    }
    if (segs.some((s) => s.includes('sudo'))) alert('DKL-DI-0001', `Avoid sudo in container : ${createdBy}`);
  });
  for (const env of cfg.Env ?? []) {
    const eq = env.indexOf('=');
    const name = eq === -1 ? env : env.slice(0, eq);
    const value = eq === -1 ? '' : env.slice(eq + 1);
    if (value === '' || reportedKeys.has(name) || !suspicious(name)) continue;
    alert('CIS-DI-0010', `Suspicious ENV key found : ${name} (You can suppress it with --accept-key)`);
  }

  // File rules.
  const tree = input.tree;
  const fileCodes = ['CIS-DI-0008', 'DKL-LI-0001', 'DKL-LI-0002', 'DKL-LI-0003', 'GHO-DI-0002'];
  baseImageCheck(input, alert);
  if (!tree) {
    for (const code of fileCodes) skipped.set(code, 'the image filesystem was not read');
  } else {
    const contentOf = (path: string): { text?: string; reason?: string } => {
      const f = tree.get(path);
      if (!f || f.entry.type !== 'file') return { reason: 'absent' };
      const scan = input.layers?.find((l) => l.index === f.layer);
      const data = scan?.captured.get(path);
      if (data === undefined) return { reason: `too large to read (${f.entry.size} bytes)` };
      return { text: data.toString('utf8') };
    };
    const acceptFiles = new Set(opts.acceptFiles ?? []);
    const acceptExt = new Set(
      (opts.acceptFileExtensions ?? []).map((e) => (e.startsWith('.') ? e : `.${e}`)),
    );
    const secretName = (path: string): 'name' | 'ext' | undefined => {
      const name = basename(path);
      if (acceptFiles.has(name)) return undefined;
      if (SECRET_NAMES.includes(name)) return 'name';
      const ext = extensionOf(name);
      if (ext !== '' && ext !== name && SECRET_EXTENSIONS.includes(ext) && !acceptExt.has(ext)) return 'ext';
      return undefined;
    };
    const secretAlert = (path: string, how: 'name' | 'ext', suffix = ''): string => {
      const name = basename(path);
      return how === 'name'
        ? `Suspicious filename found : ${path}${suffix} (You can suppress it with "--accept-file ${name}")`
        : `Suspicious file extension found : ${path}${suffix} (You can suppress it with "--accept-file-extension ${extensionOf(name).slice(1)}")`;
    };
    const npmToken = (layer: number, path: string): boolean => {
      const data = input.layers?.find((l) => l.index === layer)?.captured.get(path);
      return data !== undefined && NPM_TOKEN.test(data.toString('utf8'));
    };

    const suspiciousDirs = new Set<string>();
    for (const f of tree.files) {
      const e = f.entry;
      if (e.type === 'dir') continue;
      const isFile = e.type === 'file' || e.type === 'hardlink';
      if (isFile && e.mode & 0o4000) {
        alert('CIS-DI-0008', `setuid file: ${goModeString(goFileMode(e.mode, e.typeFlag))} ${f.path}`);
      }
      if (isFile && e.mode & 0o2000) {
        alert('CIS-DI-0008', `setgid file: ${goModeString(goFileMode(e.mode, e.typeFlag))} ${f.path}`);
      }
      if (isFile) {
        const how = secretName(f.path);
        if (how) alert('CIS-DI-0010', secretAlert(f.path, how));
        if (basename(f.path) === '.npmrc' && npmToken(f.layer, f.path)) {
          alert('CIS-DI-0010', `npm registry token found : ${f.path} (remove it and use a build secret)`);
        }
      }
      if (UNNECESSARY_FILES.includes(basename(f.path))) alert('DKL-LI-0003', `unnecessary file : ${f.path}`);
      if (!UNCONTROLLABLE.test(f.path)) {
        const parts = dirname(f.path).split('/');
        for (let i = 0; i < parts.length; i++) {
          if (SUSPICIOUS_DIRS.includes(parts[i]!)) {
            suspiciousDirs.add(parts.slice(0, i + 1).join('/'));
            break;
          }
        }
      }
    }
    for (const dir of [...suspiciousDirs].sort()) alert('DKL-LI-0003', `Suspicious directory : ${dir}`);

    // Secrets a later layer deleted or replaced are still in the lower blob.
    for (const h of tree.hidden) {
      if (h.entry.type !== 'file') continue;
      const suffix = ` (${h.reason === 'overwritten' ? 'replaced' : 'deleted'} in layer ${h.hiddenBy + 1}, but still stored in layer ${h.layer + 1})`;
      const how = secretName(h.path);
      if (how) alert('CIS-DI-0010', secretAlert(h.path, how, suffix));
      if (basename(h.path) === '.npmrc' && npmToken(h.layer, h.path)) {
        alert('CIS-DI-0010', `npm registry token found : ${h.path}${suffix}`);
      }
    }

    // DKL-LI-0001: empty passwords.
    const shadowFiles = ['etc/shadow', 'etc/master.passwd'];
    const shadows = shadowFiles.map((p) => ({ path: p, ...contentOf(p) }));
    if (shadows.every((s) => s.text === undefined)) {
      skipped.set('DKL-LI-0001', `failed to detect ${shadowFiles.join(',')}`);
    }
    for (const s of shadows) {
      if (s.text === undefined) continue;
      for (const line of s.text.split('\n')) {
        if (line === '' || line.startsWith('#')) continue;
        const fields = line.split(':');
        if (fields.length >= 2 && fields[1] === '') {
          alert('DKL-LI-0001', `No password user found! username : ${fields[0]}`);
        }
      }
    }

    // DKL-LI-0002: unique UIDs and GIDs.
    const passwd = contentOf('etc/passwd');
    const group = contentOf('etc/group');
    if (passwd.text === undefined && group.text === undefined) {
      skipped.set('DKL-LI-0002', 'failed to detect etc/passwd,etc/group');
    }
    const duplicates = (text: string | undefined, what: string, label: string): void => {
      if (text === undefined) return;
      const seen = new Set<string>();
      for (const line of text.split('\n')) {
        if (line === '' || line.startsWith('#')) continue;
        const fields = line.split(':');
        if (fields.length < 3) continue;
        const id = fields[2]!;
        if (seen.has(id)) alert('DKL-LI-0002', `duplicate ${what} ${id} : ${label} ${fields[0]}`);
        seen.add(id);
      }
    };
    duplicates(passwd.text, 'UID', 'username');
    duplicates(group.text, 'GroupID', 'groupname');

    // GHO-DI-0002: compilers and headers in the final image.
    const tools = tree.files.filter(
      (f) => f.entry.type === 'file' && wasteCategoriesOf(f.path).includes('build-toolchain'),
    );
    if (tools.length > 0) {
      const bytes = tools.reduce((n, f) => n + f.entry.size, 0);
      const largest = [...tools].sort((x, y) => y.entry.size - x.entry.size || (x.path < y.path ? -1 : 1));
      const layersOf = [...new Set(tools.map((f) => f.layer + 1))].sort((x, y) => x - y);
      alert(
        'GHO-DI-0002',
        `build toolchain in the final image: ${tools.length} file${tools.length === 1 ? '' : 's'}, ${bytes} bytes in layer${layersOf.length === 1 ? '' : 's'} ${layersOf.join(',')} (largest: ${largest
          .slice(0, 3)
          .map((f) => f.path)
          .join(', ')}); build in a separate stage and COPY --from=build only the results`,
      );
    }
  }

  return buildResult(input.image, alerts, skipped, new Set(opts.ignore ?? []));
}

/** GHO-DI-0001: a smaller base of the same kind, with about how much smaller. */
function baseImageCheck(input: LintInput, alert: (code: string, text: string) => void): void {
  const base = identifyBaseImage({
    config: input.config,
    ...(input.tree ? { tree: input.tree } : {}),
    layerBytes: (input.layers ?? []).map((l) => l.size),
    captured: (path) => {
      const layers = input.layers ?? [];
      for (let i = layers.length - 1; i >= 0; i--) {
        const data = layers[i]!.captured.get(path);
        if (data !== undefined) return data.toString('utf8');
      }
      return undefined;
    },
  });
  const best = base?.alternatives[0];
  if (!base || !best || base.estimatedSavingBytes <= 0) return;
  const others = base.alternatives.slice(1).map((x) => `${x.name} (${aboutMB(x.typicalBytes)})`);
  alert(
    'GHO-DI-0001',
    `base ${base.name} (${base.typicalBytes ? aboutMB(base.typicalBytes) : 'size unknown'}; identified by ${base.identifiedBy.join('; ')}): ${best.name} is ${aboutMB(best.typicalBytes)}${others.length > 0 ? `, or ${others.join(', ')}` : ''}; the base layers here: ${base.layers.length} layer${base.layers.length === 1 ? '' : 's'}, ${base.storedBytes} bytes, about ${base.estimatedSavingBytes} bytes less with ${best.name}`,
  );
}

function buildResult(
  image: string,
  alerts: Map<string, string[]>,
  skipped: Map<string, string>,
  ignore: ReadonlySet<string>,
): LintResult {
  const ordered = [...CHECKPOINTS].sort((a, b) => {
    const la = ignore.has(a.code) ? RANK.IGNORE : RANK[a.level];
    const lb = ignore.has(b.code) ? RANK.IGNORE : RANK[b.level];
    return lb - la || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  });
  const summary = { fatal: 0, warn: 0, info: 0, skip: 0, pass: 0 };
  const details: LintReport['details'] = [];
  const checks: CheckResult[] = [];
  for (const cp of ordered) {
    if (ignore.has(cp.code)) {
      // dockle drops ignored checkpoints from the report and counts them as passed.
      summary.pass++;
      checks.push({ code: cp.code, title: cp.title, level: 'IGNORE', alerts: alerts.get(cp.code) ?? [] });
      continue;
    }
    const found = alerts.get(cp.code);
    const skip = skipped.get(cp.code);
    let level: Level;
    let list: string[];
    if (found && found.length > 0) {
      level = cp.level;
      list = found;
    } else if (skip !== undefined) {
      level = 'SKIP';
      list = [skip];
    } else {
      level = 'PASS';
      list = [];
    }
    checks.push({ code: cp.code, title: cp.title, level, alerts: list });
    if (level === 'PASS') {
      summary.pass++;
      continue;
    }
    summary[level.toLowerCase() as 'fatal' | 'warn' | 'info' | 'skip']++;
    details.push({ code: cp.code, title: cp.title, level, alerts: list });
  }
  return { report: { image, summary, details }, checks };
}

/** Whether a result reaches `exitLevel` (dockle --exit-level): SKIP, PASS and IGNORE never do. */
export function reachesLevel(result: LintResult, exitLevel: 'info' | 'warn' | 'fatal'): CheckResult[] {
  const threshold = RANK[exitLevel.toUpperCase() as Level];
  return result.checks.filter(
    (c) => (c.level === 'FATAL' || c.level === 'WARN' || c.level === 'INFO') && RANK[c.level] >= threshold,
  );
}

/** Codes from a `.dockleignore` file: one per line, "#" starts a comment. */
export function parseIgnoreFile(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '');
}

export function isKnownCode(code: string): boolean {
  return CHECKPOINTS.some((c) => c.code === code);
}
