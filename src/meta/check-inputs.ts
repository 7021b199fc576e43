/**
 * Checks metadata-action input entries (a config file's `tags:`, `flavor:`, `labels:`,
 * `annotations:`) one by one with the engine's own parsers, so every bad entry is reported with
 * its index — not only the first, and not only when a build finally evaluates them.
 */
import { GhcrOptimizeError } from '../errors.js';
import { parseFlavor } from './flavor.js';
import { parseTagRule } from './tag-rules.js';
import { parseTemplate, TemplateError } from './template.js';

export type MetaInputName = 'tags' | 'flavor' | 'labels' | 'annotations';

export interface MetaInputProblem {
  input: MetaInputName;
  /** 0-based index of the entry in its list. */
  index: number;
  message: string;
  /** error: the engine refuses the entry; warning: it silently ignores (part of) it. */
  severity: 'error' | 'warning';
}

export type MetaInputLists = Partial<Record<MetaInputName, readonly string[]>>;

function messageOf(err: unknown): string | undefined {
  return err instanceof GhcrOptimizeError ? err.message : undefined;
}

function checkTag(entry: string): Omit<MetaInputProblem, 'input' | 'index'> | undefined {
  try {
    const rule = parseTagRule(entry);
    if (rule.unknownAttrs.length === 0) return undefined;
    return {
      severity: 'warning',
      message: `tag rule "${entry}": ${rule.unknownAttrs.map((a) => `${a}=`).join(', ')} not used by type=${rule.type} (ignored)`,
    };
  } catch (err) {
    const message = messageOf(err);
    if (message === undefined) throw err;
    return { severity: 'error', message };
  }
}

function checkFlavor(entry: string): Omit<MetaInputProblem, 'input' | 'index'> | undefined {
  try {
    // An entry's `onlatest` refers to the prefix or suffix before it in the same entry: checking
    // entries alone is exact.
    parseFlavor([entry]);
    return undefined;
  } catch (err) {
    const message = messageOf(err);
    if (message === undefined) throw err;
    return { severity: 'error', message };
  }
}

function checkKeyValue(
  kind: 'label' | 'annotation',
  entry: string,
): Omit<MetaInputProblem, 'input' | 'index'> | undefined {
  try {
    parseTemplate(entry);
  } catch (err) {
    if (err instanceof TemplateError)
      return { severity: 'error', message: `${kind} "${entry}": ${err.message}` };
    throw err;
  }
  // The engine (like the action) drops an entry without "=": almost certainly a typo.
  if (!entry.includes('=')) {
    return { severity: 'warning', message: `${kind} "${entry}": not key=value (ignored)` };
  }
  return undefined;
}

export function checkMetaInputs(lists: MetaInputLists): MetaInputProblem[] {
  const problems: MetaInputProblem[] = [];
  const each = (
    input: MetaInputName,
    check: (entry: string) => Omit<MetaInputProblem, 'input' | 'index'> | undefined,
  ): void => {
    (lists[input] ?? []).forEach((entry, index) => {
      const p = check(entry);
      if (p) problems.push({ input, index, ...p });
    });
  };
  each('tags', checkTag);
  each('flavor', checkFlavor);
  each('labels', (e) => checkKeyValue('label', e));
  each('annotations', (e) => checkKeyValue('annotation', e));
  return problems;
}
