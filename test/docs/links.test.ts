/**
 * Goal: a user who clones the repository never follows a link out of it to
 * a file that is not there. Every relative link in README.md,
 * CONTRIBUTING.md, examples/README.md and docs/*.md names a file of the
 * repository, and a link to a heading (`file.md#heading`, `#heading`) names
 * a heading that exists, by GitHub's rule for heading anchors.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const DOCUMENTS = [
  'README.md',
  'CONTRIBUTING.md',
  'examples/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/${file}`),
];

type Link = { readonly line: number; readonly target: string };

/** The line's text outside inline code spans, which may show link syntax without being a link. */
function outsideCode(line: string): string {
  return line.replace(/(`+)[^`]*?\1/g, '');
}

/** Every inline link `[text](target)` of a markdown text, outside fenced code blocks and inline code. */
function markdownLinks(text: string): Link[] {
  const links: Link[] = [];
  let fenced = false;
  text.split('\n').forEach((raw, index) => {
    if (/^\s*(```|~~~)/.test(raw)) {
      fenced = !fenced;
      return;
    }
    if (fenced) return;
    for (const match of outsideCode(raw).matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      links.push({ line: index + 1, target: match[1] as string });
    }
  });
  return links;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped but `-` and `_`, spaces become `-`. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a markdown file's headings; a repeated heading gets `-1`, `-2`, ... as on GitHub. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const base = headingAnchor(heading[1] as string);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

/** What is wrong with `link` of `document`, or null when it resolves. */
function linkProblem(document: string, link: Link): string | null {
  if (isExternal(link.target)) return null;
  const [pathPart = '', anchor] = link.target.split('#', 2) as [string, string | undefined];
  const path = decodeURIComponent(pathPart);
  const file = path === '' ? join(ROOT, document) : resolve(dirname(join(ROOT, document)), path);
  const where = `${document}:${link.line}: ${link.target}`;
  if (!file.startsWith(ROOT)) return `${where} leaves the repository`;
  if (!existsSync(file)) return `${where}: no such file ${relative(ROOT, file)}`;
  if (anchor === undefined || anchor === '') return null;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `${where}: an anchor into a file that is not markdown`;
  if (!anchorsOf(readFileSync(file, 'utf8')).has(anchor)) return `${where}: no heading with anchor #${anchor} in ${relative(ROOT, file)}`;
  return null;
}

describe('relative links of the documents', () => {
  it('finds the documents it checks', () => {
    for (const document of ['README.md', 'CONTRIBUTING.md', 'docs/architecture.md', 'docs/topology.md', 'docs/semantics.md', 'docs/reports.md']) {
      expect(DOCUMENTS, document).toContain(document);
    }
  });

  it.each(DOCUMENTS)('every relative link of %s resolves to a file of the repository', (document) => {
    const links = markdownLinks(readFileSync(join(ROOT, document), 'utf8'));
    const problems = links.map((link) => linkProblem(document, link)).filter((problem): problem is string => problem !== null);
    expect(problems).toEqual([]);
  });

  it('reads links as GitHub does: none in code, anchors by its rule', () => {
    const text = ['see [a](docs/a.md) and `[b](b.md)`', '```', '[c](c.md)', '```', '[d](docs/d.md "title")'].join('\n');
    expect(markdownLinks(text)).toEqual([
      { line: 1, target: 'docs/a.md' },
      { line: 5, target: 'docs/d.md' },
    ]);
    expect(headingAnchor('The fault path, step by step')).toBe('the-fault-path-step-by-step');
    expect(headingAnchor('`settings`: the run')).toBe('settings-the-run');
  });
});
