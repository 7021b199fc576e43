/**
 * Writes the `retention:` section of `ghcr-optimize.yaml`. Pure (text in, text out) and built on
 * the `yaml` Document API, so an existing file keeps everything else as it was — other keys, their
 * order, comments and formatting — and only the retention section is added or replaced.
 */
import { Document, Pair, Scalar, YAMLMap, isMap, parseDocument, type Node } from 'yaml';
import { UsageError } from '../errors.js';
import { DEFAULT_RULES, resolvePolicy, type RetentionConfig } from './policy.js';

/** The section `setup-retention` writes: the built-in policy spelled out, ready to edit. */
export function defaultRetentionSection(): RetentionConfig {
  return {
    untagged: 'delete',
    untaggedMinAge: '1h',
    orphans: 'keep',
    rules: DEFAULT_RULES.map((r) => ({ ...r, ...(Array.isArray(r.match) ? { match: [...r.match] } : {}) })),
  };
}

const SECTION_COMMENT = [
  ' Retention (ghcr-optimize clean): the first rule whose pattern matches a tag decides how long',
  ' it is kept (90d, 24h, forever) and keepLast keeps the newest N whatever their age. A digest is',
  ' kept while any of its tags is; index children, signatures and referrers follow their image.',
  ' Tags no rule matches are kept. See "Retention" in the README.',
].join('\n');

export type SectionAction = 'create' | 'add' | 'replace' | 'unchanged';

export interface SectionResult {
  /** The whole file after the change. */
  text: string;
  /** create: new file; add: section appended; replace: section replaced; unchanged: already so. */
  action: SectionAction;
}

function sectionNode(doc: Document, section: RetentionConfig): Node {
  const node = doc.createNode(section) as YAMLMap;
  // One rule per line: a policy reads like a table.
  const rules = node.get('rules', true);
  if (rules && typeof rules === 'object' && 'items' in rules) {
    for (const rule of (rules as { items: unknown[] }).items) if (isMap(rule)) rule.flow = true;
  }
  return node;
}

const TO_STRING = { lineWidth: 0, flowCollectionPadding: false } as const;

/** `retention:` with its explanatory comment, set off by a blank line when other keys precede it. */
function sectionPair(doc: Document, section: RetentionConfig, spaced: boolean): Pair {
  const key = new Scalar('retention');
  key.commentBefore = SECTION_COMMENT;
  key.spaceBefore = spaced;
  return new Pair(key, sectionNode(doc, section));
}

const sameData = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * `existing` (the file's text, or undefined when there is none) with `section` as its
 * `retention:`. An existing section is replaced only with `force`; a section equal to the new one
 * is left alone. Throws a UsageError for a file that is not a YAML mapping or has a section
 * without `force`.
 */
export function writeRetentionSection(
  existing: string | undefined,
  section: RetentionConfig,
  opts: { force?: boolean; file?: string } = {},
): SectionResult {
  const file = opts.file ?? 'ghcr-optimize.yaml';
  resolvePolicy(section); // never write a section the tool itself would refuse
  if (existing === undefined || existing.trim() === '') {
    const doc = new Document(new YAMLMap());
    doc.commentBefore = ' ghcr-optimize configuration: see the README for every section.';
    (doc.contents as YAMLMap).items.push(sectionPair(doc, section, false));
    return { text: doc.toString(TO_STRING), action: existing === undefined ? 'create' : 'add' };
  }
  const doc = parseDocument(existing, { keepSourceTokens: false });
  const problem = doc.errors[0];
  if (problem) {
    // The first line of the parser's message names the problem; the rest is a source excerpt.
    throw new UsageError(`${file} is not valid YAML: ${problem.message.split('\n')[0]}`, {
      hint: 'fix the file first (setup-retention keeps everything but the retention section as it is)',
    });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new UsageError(`${file} is not a YAML mapping (key: value) at the top level`, {
      hint: 'a ghcr-optimize.yaml holds sections such as services: and retention:',
    });
  }
  if (doc.contents === null) (doc as Document).contents = new YAMLMap();
  const map = doc.contents as YAMLMap;
  const had = map.has('retention');
  if (had) {
    const current = (doc.toJS() as Record<string, unknown>).retention;
    if (sameData(current, section)) return { text: existing, action: 'unchanged' };
    if (!opts.force) {
      throw new UsageError(`${file} already has a retention: section`, {
        hint: 'edit it by hand, or run setup-retention --force to replace it (the rest of the file is kept)',
      });
    }
    // Replace the value only: the key keeps its place and its comments, and a comment written
    // on the old value (`retention:  # ours`) stays on the new one.
    const old = map.get('retention', true) as Node | undefined;
    const node = sectionNode(doc, section);
    if (old && typeof old === 'object') {
      if (old.commentBefore) node.commentBefore = old.commentBefore;
      if (old.comment) node.comment = old.comment;
    }
    map.set('retention', node);
  } else {
    map.items.push(sectionPair(doc, section, map.items.length > 0));
  }
  const text = doc.toString(TO_STRING);
  return { text, action: had ? 'replace' : 'add' };
}
