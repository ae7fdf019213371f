/**
 * Field names in a KQL expression: the tokens directly before `:` / `<` / `<=` / `>` / `>=` outside
 * quoted strings, including those inside `field : ( ... )` groups and nested `field : { ... }`
 * queries (prefixed with the parent). Values are never reported as fields.
 */

interface Token {
  readonly kind: 'word' | 'string' | 'op' | 'paren' | 'brace';
  readonly text: string;
}

const OPERATORS = [':', '<=', '>=', '<', '>'] as const;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      let text = '';
      while (j < input.length && input[j] !== '"') {
        if (input[j] === '\\' && j + 1 < input.length) {
          text += input[j + 1];
          j += 2;
          continue;
        }
        text += input[j];
        j++;
      }
      tokens.push({ kind: 'string', text });
      i = j + 1;
      continue;
    }
    if (ch === '(' || ch === ')') {
      tokens.push({ kind: 'paren', text: ch });
      i++;
      continue;
    }
    if (ch === '{' || ch === '}') {
      tokens.push({ kind: 'brace', text: ch });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => input.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ kind: 'op', text: op });
      i += op.length;
      continue;
    }
    let j = i;
    let text = '';
    while (j < input.length) {
      const c = input[j] ?? '';
      if (c === '\\' && j + 1 < input.length) {
        text += input[j + 1];
        j += 2;
        continue;
      }
      if (/\s/.test(c) || c === '"' || c === '(' || c === ')' || c === '{' || c === '}' || OPERATORS.some((o) => input.startsWith(o, j))) break;
      text += c;
      j++;
    }
    tokens.push({ kind: 'word', text });
    i = j;
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not']);

/** A field a query compares, with the value when it is one plain `field : value` (no group, no range). */
export interface Comparison {
  readonly field: string;
  readonly value?: string;
}

/** Every comparison in a KQL query, in order of appearance. */
export function kqlComparisons(query: string): Comparison[] {
  const tokens = tokenize(query);
  const out: Comparison[] = [];
  const prefixes: string[] = [];
  const braceOwners: boolean[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const next = tokens[k + 1];
    if (t === undefined) continue;
    if (t.kind === 'brace') {
      if (t.text === '{') braceOwners.push(false);
      else if (braceOwners.pop() === true) prefixes.pop();
      continue;
    }
    if ((t.kind === 'word' || t.kind === 'string') && next?.kind === 'op' && !(t.kind === 'word' && KEYWORDS.has(t.text.toLowerCase()))) {
      const name = [...prefixes, t.text].join('.');
      const after = tokens[k + 2];
      if (next.text === ':' && after?.kind === 'brace' && after.text === '{') {
        prefixes.push(t.text);
        braceOwners.push(true);
        k += 2;
        continue;
      }
      k++;
      // Skip the value: one token, or a parenthesised group of values.
      const value = tokens[k + 1];
      if (value?.kind === 'paren' && value.text === '(') {
        out.push({ field: name });
        let depth = 0;
        for (k = k + 1; k < tokens.length; k++) {
          const v = tokens[k];
          if (v?.kind === 'paren') depth += v.text === '(' ? 1 : -1;
          if (depth === 0) break;
        }
      } else {
        const plain = next.text === ':' && (value?.kind === 'word' || value?.kind === 'string');
        out.push(plain && value !== undefined ? { field: name, value: value.text } : { field: name });
        k++;
      }
    }
  }
  return out;
}

/** Field names used in a KQL query, in order of appearance, without duplicates. */
export function kqlFields(query: string): string[] {
  return [...new Set(kqlComparisons(query).map((c) => c.field))];
}

/** Comparisons in an Elasticsearch query DSL object; `term`/`match`/`match_phrase` carry their value. */
export function queryDslComparisons(dsl: unknown): Comparison[] {
  const out: Comparison[] = [];
  const VALUED = new Set(['term', 'match', 'match_phrase']);
  const FIELD_KEYED = new Set(['term', 'terms', 'match', 'match_phrase', 'match_phrase_prefix', 'range', 'prefix', 'wildcard', 'regexp', 'fuzzy']);
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (FIELD_KEYED.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [f, v] of Object.entries(value as Record<string, unknown>)) {
          if (f === 'boost' || f === '_name') continue;
          const inner = v !== null && typeof v === 'object' ? ((v as Record<string, unknown>).value ?? (v as Record<string, unknown>).query) : v;
          out.push(VALUED.has(key) && (typeof inner === 'string' || typeof inner === 'number') ? { field: f, value: String(inner) } : { field: f });
        }
      } else if (key === 'exists' && value !== null && typeof value === 'object') {
        const f = (value as Record<string, unknown>).field;
        if (typeof f === 'string') out.push({ field: f });
      } else if (key === 'query_string' || key === 'simple_query_string') {
        const fs = (value as Record<string, unknown>).fields;
        if (Array.isArray(fs)) for (const f of fs) if (typeof f === 'string') out.push({ field: f.replace(/\^.*$/, '') });
      } else {
        walk(value);
      }
    }
  };
  walk(dsl);
  return out;
}

/** Field names in an Elasticsearch query DSL object (term, terms, match*, range, prefix, wildcard, exists, ...). */
export function queryDslFields(dsl: unknown): string[] {
  return [...new Set(queryDslComparisons(dsl).map((c) => c.field))];
}
