// labelSelector and fieldSelector, with the grammar of k8s.io/apimachinery/pkg/labels and /fields.
import { badRequest } from './errors.js';
import type { KubeObject } from './types.js';

type Operator = 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type Selector = (labels: Record<string, string>) => boolean;

const EVERYTHING: Selector = () => true;

/** Splits on commas that are not inside a `(...)` value set. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

const SET_FORM = /^([^\s!=<>()]+)\s+(in|notin)\s*\(([^)]*)\)$/;
const COMPARE_FORM = /^([^\s!=<>()]+)\s*(==|!=|=|>|<)\s*([^\s!=<>(),]*)$/;
const EXISTS_FORM = /^(!?)\s*([^\s!=<>()]+)$/;

function parseRequirement(text: string, selector: string): Requirement {
  const set = SET_FORM.exec(text);
  if (set) {
    const values = set[3].split(',').map((v) => v.trim());
    return { key: set[1], operator: set[2] as Operator, values };
  }
  const compare = COMPARE_FORM.exec(text);
  if (compare) {
    const symbol = compare[2];
    const operator: Operator = symbol === '>' ? 'gt' : symbol === '<' ? 'lt' : symbol === '!=' ? '!=' : '=';
    if ((operator === 'gt' || operator === 'lt') && !/^-?\d+$/.test(compare[3])) {
      throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer: "${selector}"`);
    }
    return { key: compare[1], operator, values: [compare[3]] };
  }
  const exists = EXISTS_FORM.exec(text);
  if (exists) return { key: exists[2], operator: exists[1] ? '!' : 'exists', values: [] };
  throw badRequest(`unable to parse requirement: found '${text}', expected: a valid label selector in "${selector}"`);
}

function matches(requirement: Requirement, labels: Record<string, string>): boolean {
  const present = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'exists':
      return present;
    case '!':
      return !present;
    case '=':
    case 'in':
      return present && requirement.values.includes(value);
    case '!=':
    case 'notin':
      return !present || !requirement.values.includes(value);
    case 'gt':
      return present && /^-?\d+$/.test(value) && Number(value) > Number(requirement.values[0]);
    case 'lt':
      return present && /^-?\d+$/.test(value) && Number(value) < Number(requirement.values[0]);
  }
}

export function parseLabelSelector(selector: string | null | undefined): Selector {
  if (!selector || selector.trim() === '') return EVERYTHING;
  const requirements = splitTopLevel(selector).map((part) => parseRequirement(part, selector));
  return (labels) => requirements.every((r) => matches(r, labels));
}

export interface FieldSelector {
  /** The exact name this selector pins, when it has `metadata.name=X` (RBAC resourceNames apply then). */
  name?: string;
  matches(object: KubeObject): boolean;
}

const SELECTABLE_FIELDS: Record<string, (o: KubeObject) => string | undefined> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace,
};

export function parseFieldSelector(selector: string | null | undefined): FieldSelector {
  if (!selector || selector.trim() === '') return { matches: () => true };
  const terms = selector.split(',').map((term) => {
    const found = /^([^!=]+?)\s*(==|!=|=)\s*(.*)$/.exec(term.trim());
    if (!found) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, field, op, value] = found;
    const read = SELECTABLE_FIELDS[field];
    if (!read) throw badRequest(`"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    return { field, negate: op === '!=', value, read };
  });
  const pinned = terms.find((t) => t.field === 'metadata.name' && !t.negate);
  return {
    name: pinned?.value,
    matches: (object) => terms.every((t) => (t.read(object) === t.value) !== t.negate),
  };
}
