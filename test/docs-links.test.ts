/**
 * Every relative link in the repository's Markdown resolves: the file or folder exists, and a `#anchor`
 * into a Markdown file names one of its headings as GitHub slugs them (github-slugger, the slugger
 * GitHub's own renderer follows: lower case, punctuation dropped, spaces to `-`, repeats suffixed `-1`,
 * `-2`) or an explicit `<a id>`/`<a name>`. Links inside code are not links and are not checked.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import GithubSlugger from 'github-slugger';
import { marked, type Token, type Tokens } from 'marked';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Pages another branch writes; a link to one is accepted only while the page is absent, and checked in full once it lands. */
const LANDS_LATER = new Set(['docs/verify.md']);

const pages = execFileSync('git', ['ls-files', '*.md'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((p) => p !== '' && !p.includes('node_modules/'));

function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((t) => {
      if (t.type === 'html') return '';
      if ('tokens' in t && Array.isArray(t.tokens)) return plainText(t.tokens as Token[]);
      return 'text' in t && typeof t.text === 'string' ? t.text : '';
    })
    .join('');
}

/** The anchors a page offers, as GitHub renders them. */
function anchorsOf(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  marked.walkTokens(marked.lexer(markdown), (token) => {
    if (token.type === 'heading') anchors.add(slugger.slug(plainText((token as Tokens.Heading).tokens)));
  });
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1] as string);
  return anchors;
}

/** Every link target in a page (inline, reference and autolink), code excluded. */
function linksOf(markdown: string): string[] {
  const hrefs: string[] = [];
  marked.walkTokens(marked.lexer(markdown), (token) => {
    if (token.type === 'link' || token.type === 'image') hrefs.push((token as Tokens.Link).href);
  });
  return hrefs;
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOfPage(page: string): Set<string> {
  let anchors = anchorCache.get(page);
  if (!anchors) {
    anchors = anchorsOf(readFileSync(join(ROOT, page), 'utf8'));
    anchorCache.set(page, anchors);
  }
  return anchors;
}

/** Why a link from `page` does not resolve, or undefined when it does. */
function brokenReason(page: string, href: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return undefined; // https:, mailto: …: not a repository path
  const [rawPath = '', rawAnchor] = href.split('#', 2);
  const path = decodeURIComponent(rawPath);
  const target = path === '' ? page : normalize(relative(ROOT, resolve(ROOT, dirname(page), path)));
  if (target.startsWith('..')) return `${href} leaves the repository`;
  if (!existsSync(join(ROOT, target))) return LANDS_LATER.has(target) ? undefined : `${target} does not exist`;
  if (rawAnchor === undefined || !target.endsWith('.md') || statSync(join(ROOT, target)).isDirectory()) return undefined;
  const anchor = decodeURIComponent(rawAnchor);
  return anchorsOfPage(target).has(anchor) ? undefined : `${target} has no heading #${anchor}`;
}

describe('links between the documentation pages', () => {
  it('finds the README and the docs pages to check', () => {
    assert.ok(pages.includes('README.md'));
    assert.ok(pages.filter((p) => p.startsWith('docs/')).length >= 10);
  });

  it('slugs headings the way GitHub does, code and punctuation included', () => {
    const anchors = anchorsOf('# A: `kubectl apply -k` on its own\n\n## Index lifecycle (elastic/lifecycle.ts)\n\n## Repeat\n\n## Repeat\n');
    assert.deepEqual([...anchors], ['a-kubectl-apply--k-on-its-own', 'index-lifecycle-elasticlifecyclets', 'repeat', 'repeat-1']);
  });

  it('reads inline and reference links but not the ones shown as code', () => {
    assert.deepEqual(linksOf('[a](x.md#y) and [b][r] and `[c](z.md)`\n\n```\n[d](w.md)\n```\n\n[r]: v.md\n'), ['x.md#y', 'v.md']);
  });

  it('resolves every relative link and anchor in every Markdown page', () => {
    const broken = pages.flatMap((page) =>
      linksOf(readFileSync(join(ROOT, page), 'utf8')).flatMap((href) => {
        const reason = brokenReason(page, href);
        return reason ? [`${page}: (${href}) ${reason}`] : [];
      }),
    );
    assert.deepEqual(broken, []);
  });
});
