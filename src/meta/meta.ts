/**
 * The tag and label engine: from the action's inputs and a context, the image version, the tags
 * (per image, in the action's order: the version, the other tags by priority, then `latest`), the
 * OCI labels and annotations. Pure: "now", the context and the switches are passed in.
 */
import { UsageError } from '../errors.js';
import type { MetaContext } from './context.js';
import { branchOf, dateScope, globalScope, GLOBAL_EXPRESSIONS, SCHEDULE_EXPRESSIONS } from './expressions.js';
import { parseFlavor, type Flavor } from './flavor.js';
import { parseImages, type ImageEntry } from './images.js';
import { mergeKeyValues, ociDefaults } from './labels.js';
import { sanitizeImageName, sanitizeTag } from './sanitize.js';
import { renderPep440, renderSemver, type Rendered } from './semver-pattern.js';
import { DEFAULT_SHORT_SHA_LENGTH, shortSha } from './switches.js';
import { matchRegExp, parseTagRules, type TagRule } from './tag-rules.js';
import { renderTemplate, templateNames, TemplateError, type Scope } from './template.js';

/** The action's inputs, each already split into entries (see parseInputList). */
export interface MetaInputs {
  images?: readonly string[];
  tags?: readonly string[];
  flavor?: readonly string[];
  labels?: readonly string[];
  annotations?: readonly string[];
}

export interface MetaOptions {
  /** "Now": `{{date}}`, `type=schedule` and the created label. Default: the current time. */
  now?: Date;
  /** DOCKER_METADATA_SHORT_SHA_LENGTH (default 7). */
  shortShaLength?: number;
}

export interface MetaVersion {
  /** The image version (the highest-priority tag), undefined when no tag applies. */
  main: string | undefined;
  /** The other tags, highest priority first, without duplicates. */
  partial: string[];
  latest: boolean;
}

export interface MetaResult {
  version: MetaVersion;
  /** Enabled image names, lowercased. */
  images: string[];
  /** `image:tag` for every image (or bare tags without images). */
  tags: string[];
  /** The tags without image names. */
  tagNames: string[];
  /** `key=value`, sorted by key. */
  labels: string[];
  /** `key=value`, sorted by key, without annotation levels. */
  annotations: string[];
  flavor: Flavor;
  rules: TagRule[];
  /** What the action would print as warnings (a tag that is not semver, a pattern that does not match, …). */
  warnings: string[];
}

class Engine {
  readonly warnings: string[] = [];
  readonly global: Scope;
  readonly dates: Scope;
  private main: string | undefined;
  private readonly partial: string[] = [];
  private latest: boolean | undefined;

  constructor(
    readonly ctx: MetaContext,
    readonly flavor: Flavor,
    readonly now: Date,
    readonly shaLength: number,
  ) {
    const opts = { now, shortShaLength: shaLength };
    this.global = globalScope(ctx, opts);
    this.dates = dateScope(ctx, opts);
  }

  /** Evaluates expressions; `where` names the rule/attribute for errors. */
  expand(value: string, where: string, scope: Scope = this.global): string {
    try {
      return renderTemplate(value, scope);
    } catch (err) {
      if (err instanceof TemplateError) throw new UsageError(`${where}: ${err.message}`);
      throw err;
    }
  }

  noteUnknownNames(value: string, where: string, known: readonly string[]): void {
    let names: string[];
    try {
      names = templateNames(value);
    } catch {
      return; // a syntax error is reported when the value is expanded
    }
    for (const name of names) {
      if (!known.includes(name))
        this.warnings.push(`${where}: unknown expression {{${name}}} renders as empty`);
    }
  }

  latestFor(auto: boolean): boolean {
    return this.flavor.latest === 'auto' ? auto : this.flavor.latest === 'true';
  }

  /** The rule's prefix/suffix, or the flavor's when the rule has none. */
  affix(value: string, rule: TagRule): string {
    const where = `tag rule "${rule.source}"`;
    let v = value;
    if (Object.hasOwn(rule.attrs, 'prefix')) v = this.expand(rule.attrs.prefix!, `${where} prefix`) + v;
    else if (this.flavor.prefix.length > 0) v = this.expand(this.flavor.prefix, 'flavor prefix') + v;
    if (Object.hasOwn(rule.attrs, 'suffix')) v += this.expand(rule.attrs.suffix!, `${where} suffix`);
    else if (this.flavor.suffix.length > 0) v += this.expand(this.flavor.suffix, 'flavor suffix');
    return v;
  }

  add(value: string, latest: boolean): void {
    if (value.length === 0) return;
    const v = sanitizeTag(value);
    if (this.main === undefined) this.main = v;
    else if (v !== this.main) this.partial.push(v);
    this.latest ??= latest;
  }

  version(): MetaVersion {
    return {
      main: this.main,
      partial: this.partial.filter((t, i) => this.partial.indexOf(t) === i),
      latest: this.latest ?? false,
    };
  }

  /** The value a semver/pep440/match rule works on: `value=` when given, else the Git tag. */
  sourceValue(rule: TagRule): string | undefined {
    if (!/^refs\/tags\//.test(this.ctx.ref) && rule.attrs.value!.length === 0) return undefined;
    if (rule.attrs.value!.length > 0)
      return this.expand(rule.attrs.value!, `tag rule "${rule.source}" value`);
    return this.ctx.ref.replace(/^refs\/tags\//g, '');
  }

  process(rule: TagRule): void {
    const where = `tag rule "${rule.source}"`;
    const enabled = this.expand(rule.attrs.enable!, `${where} enable`);
    if (enabled !== 'true' && enabled !== 'false') {
      throw new UsageError(`${where}: enable must evaluate to true or false, got "${enabled}"`);
    }
    if (enabled === 'false') return;
    const ref = this.ctx.ref;
    switch (rule.type) {
      case 'schedule': {
        if (!/schedule/.test(this.ctx.eventName)) return;
        this.noteUnknownNames(rule.attrs.pattern!, `${where} pattern`, SCHEDULE_EXPRESSIONS);
        const v = this.expand(rule.attrs.pattern!, `${where} pattern`, this.dates);
        this.add(this.affix(v, rule), this.latestFor(false));
        return;
      }
      case 'semver':
      case 'pep440': {
        let v = this.sourceValue(rule);
        if (v === undefined) return;
        if (rule.attrs.match!.length > 0) {
          const m = v.match(new RegExp(rule.attrs.match!));
          if (!m) this.warnings.push(`${rule.attrs.match} does not match ${v}.`);
          else v = m[1] ?? m[0];
        }
        v = v.replace(/\//g, '-');
        let r: Rendered;
        try {
          r =
            rule.type === 'semver'
              ? renderSemver(v, rule.attrs.pattern!)
              : renderPep440(v, rule.attrs.pattern!);
        } catch (err) {
          if (err instanceof TemplateError) throw new UsageError(`${where} pattern: ${err.message}`);
          throw err;
        }
        if (!r.ok) {
          this.warnings.push(r.warning);
          return;
        }
        this.add(this.affix(r.value, rule), this.latestFor(r.latest));
        return;
      }
      case 'match': {
        const v = this.sourceValue(rule);
        if (v === undefined) return;
        const m = v.match(matchRegExp(rule.attrs.pattern!));
        if (!m) {
          this.warnings.push(`${rule.attrs.pattern} does not match ${v}.`);
          return;
        }
        const group = rule.attrs.group!;
        const picked = /^(0|[1-9][0-9]*)$/.test(group) ? m[Number(group)] : undefined;
        if (picked === undefined) {
          this.warnings.push(`Group ${group} does not exist for ${rule.attrs.pattern} pattern.`);
          return;
        }
        this.add(this.affix(picked, rule), this.latestFor(true));
        return;
      }
      case 'ref': {
        if (rule.attrs.event === 'branch') {
          if (!/^refs\/heads\//.test(ref)) return;
          this.add(this.affix(branchOf(ref), rule), this.latestFor(false));
        } else if (rule.attrs.event === 'tag') {
          if (!/^refs\/tags\//.test(ref)) return;
          this.add(this.affix(ref.replace(/^refs\/tags\//g, ''), rule), this.latestFor(true));
        } else {
          if (!/^refs\/pull\//.test(ref)) return;
          const pr = ref.replace(/^refs\/pull\//g, '').replace(/\/merge$/g, '');
          this.add(this.affix(pr, rule), this.latestFor(false));
        }
        return;
      }
      case 'edge': {
        if (!/^refs\/heads\//.test(ref)) return;
        const branch = rule.attrs.branch!.length > 0 ? rule.attrs.branch : this.ctx.repo.defaultBranch;
        if (branch !== branchOf(ref)) return;
        this.add(this.affix('edge', rule), this.latestFor(false));
        return;
      }
      case 'raw': {
        this.noteUnknownNames(rule.attrs.value!, `${where} value`, GLOBAL_EXPRESSIONS);
        const v = this.expand(rule.attrs.value!, `${where} value`);
        this.add(this.affix(v, rule), this.latestFor(false));
        return;
      }
      case 'sha': {
        if (!this.ctx.sha) return;
        const v = rule.attrs.format === 'short' ? shortSha(this.ctx.sha, this.shaLength) : this.ctx.sha;
        this.add(this.affix(v, rule), this.latestFor(false));
        return;
      }
    }
  }
}

function imageNames(images: readonly ImageEntry[]): string[] {
  return images.filter((i) => i.enable).map((i) => sanitizeImageName(i.name));
}

function tagsFor(version: MetaVersion, flavor: Flavor, image?: string): string[] {
  if (!version.main) return [];
  const prefix = image ? `${image}:` : '';
  const out = [`${prefix}${version.main}`, ...version.partial.map((p) => `${prefix}${p}`)];
  if (version.latest) {
    // The flavor's prefix/suffix go on `latest` verbatim (expressions are not evaluated there).
    const latest = `${flavor.prefixLatest ? flavor.prefix : ''}latest${flavor.suffixLatest ? flavor.suffix : ''}`;
    out.push(`${prefix}${sanitizeTag(latest)}`);
  }
  return out;
}

export function computeMeta(inputs: MetaInputs, ctx: MetaContext, opts: MetaOptions = {}): MetaResult {
  const now = opts.now ?? new Date();
  const images = parseImages(inputs.images ?? []);
  const rules = parseTagRules(inputs.tags ?? []);
  const flavor = parseFlavor(inputs.flavor ?? []);
  const engine = new Engine(ctx, flavor, now, opts.shortShaLength ?? DEFAULT_SHORT_SHA_LENGTH);
  for (const rule of rules) {
    if (rule.unknownAttrs.length > 0) {
      engine.warnings.push(
        `tag rule "${rule.source}": ignoring ${rule.unknownAttrs.map((a) => `${a}=`).join(', ')} (not used by type=${rule.type})`,
      );
    }
  }
  for (const rule of rules) engine.process(rule);
  const version = engine.version();

  const names = imageNames(images);
  const tags =
    names.length > 0 ? names.flatMap((n) => tagsFor(version, flavor, n)) : tagsFor(version, flavor);
  const tagNames = tagsFor(version, flavor);

  const defaults = ociDefaults(ctx, version.main, now);
  const custom = (kind: string, entries: readonly string[] | undefined): string[] =>
    (entries ?? []).map((e) => {
      engine.noteUnknownNames(e, `${kind} "${e}"`, GLOBAL_EXPRESSIONS);
      return engine.expand(e, `${kind} "${e}"`);
    });
  const labels = mergeKeyValues([...defaults, ...custom('label', inputs.labels)]);
  const annotations = mergeKeyValues([...defaults, ...custom('annotation', inputs.annotations)]);

  if (!version.main) engine.warnings.push('No Docker image version has been generated. Check tags input.');
  return {
    version,
    images: names,
    tags,
    tagNames,
    labels,
    annotations,
    flavor,
    rules,
    warnings: engine.warnings,
  };
}
