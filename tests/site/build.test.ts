// The site build from the fixture labs: which pages it makes, that every link
// and asset of every page resolves (the link checker), that nothing loads from
// another host, that steps get their checks and points, and that code shown
// from the reference is the current source.

import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRegions } from '../../scripts/starter/regions.ts';
import { checkLinks } from '../../site/src/link-check.ts';
import { buildFixture, FIXTURE_LABS, ROOT, tempDir } from './fixtures.ts';
import type { BuildResult } from '../../site/src/build.ts';

const PAGES = ['index.html', '00-setup.html', '01-first.html', '02-second.html', 'catalogue.html', 'contract.html', 'print.html'];
const INCLUDED = 'reference/src/controllers/replicaset/status.ts';

/** HTML text back to source text (highlight.js and the site escape differently). */
function decode(text: string): string {
  return text.replace(/&(lt|gt|quot|#39|#x27|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", amp: '&' })[e]!);
}

describe('kubelab site build (fixture labs)', () => {
  const temp = tempDir();
  const out = join(temp.dir, 'dist');
  let result: BuildResult;
  const page = (file: string) => readFileSync(join(out, file), 'utf8');

  beforeAll(async () => {
    result = await buildFixture(out);
  });
  afterAll(() => temp.remove());

  it('makes the home, setup, lab, catalogue, contract and print pages, and no page for a folder without lab.yaml', () => {
    expect(result.pages).toEqual(PAGES);
    for (const file of PAGES) expect(existsSync(join(out, file)), file).toBe(true);
    expect(existsSync(join(out, 'notes.html'))).toBe(false);
    expect(result.warnings).toEqual([]);
  });

  it('has no broken link, script, stylesheet or image in any page (fragments included)', () => {
    expect(checkLinks(out)).toEqual([]);
  });

  it('the link checker notices a broken link, a missing fragment and an external script', () => {
    const copy = join(temp.dir, 'broken');
    cpSync(out, copy, { recursive: true });
    writeFileSync(join(copy, 'bad.html'), '<a href="nowhere.html">x</a><a href="index.html#no-such-id">y</a><script src="https://cdn.example/x.js"></script>');
    expect(checkLinks(copy).map((p) => p.reference)).toEqual(['nowhere.html', 'index.html#no-such-id', 'https://cdn.example/x.js']);
  });

  it('loads no script, style or font from another host, and links only to pages by relative URLs', () => {
    for (const file of PAGES) {
      const html = page(file);
      expect(html, file).not.toMatch(/<(script|link|img)\b[^>]*(src|href)="(https?:)?\/\//);
      expect(html, file).not.toMatch(/@import|fonts\.googleapis/);
      expect(html, file).not.toMatch(/\s(href|src)="\/[^/]/); // absolute paths break pages opened from disk
    }
    expect(readFileSync(join(out, 'assets', 'style.css'), 'utf8')).not.toMatch(/url\(|@import/);
  });

  it('gives every page exactly one h1 and a skip link to the content', () => {
    for (const file of PAGES) {
      const html = page(file);
      expect(html.match(/<h1\b/g)?.length, file).toBe(1);
      expect(html, file).toContain('<a class="skip-link" href="#main">');
      expect(html, file).toContain('<main id="main"');
    }
  });

  it('rewrites links between lessons to pages and copies the files lessons link to', () => {
    const first = page('01-first.html');
    expect(first).toContain('href="00-setup.html"');
    expect(first).toContain('href="02-second.html"');
    expect(first).toContain('href="02-second.html#step-scale"');
    expect(first).toContain('src="01-first/diagram.svg"');
    expect(first).toContain('href="01-first/manifests/pod.yaml"');
    expect(first).toContain('href="source/reference/DEVIATIONS.md"');
    expect(existsSync(join(out, '01-first', 'diagram.svg'))).toBe(true);
    expect(existsSync(join(out, 'source', 'reference', 'DEVIATIONS.md'))).toBe(true);
    expect(page('00-setup.html')).toContain('href="01-first.html"');
  });

  it('follows each step heading with a box of its checks and points, and lists the steps in the navigator', () => {
    const first = page('01-first.html');
    expect(first).toMatch(/<h2 id="step-run" class="step-heading">Step 1: Run a pod <a class="header-anchor" href="#step-run" aria-hidden="true">#<\/a><\/h2>\s*<aside class="step-box" data-lab="first" data-step="run"/);
    expect(first).toContain('Checks: 5 points');
    expect(first).toContain('<li data-check="fixture.run.starts">');
    expect(first).toContain('A pod serves &lt;HTTP&gt; &amp; &quot;answers&quot;');
    expect(first).toContain('<input type="checkbox" class="step-done" data-progress="first/run">');
    expect(first).toContain('<a href="#step-serve" data-progress="first/serve">Serve HTTP</a>');
    // A lab without a README still shows its steps and checks.
    expect(page('02-second.html')).toContain('<li data-check="fixture.nodes.back">');
  });

  it('renders hints and solutions as folded details, warnings as notes, and code with copy buttons', () => {
    const first = page('01-first.html');
    expect(first).toContain('<details class="hint"><summary>Hint: Where to start</summary>');
    expect(first).toContain('<details class="solution"><summary>Solution</summary>');
    expect(page('00-setup.html')).toContain('<aside class="warning" role="note"><p class="callout-title">Warning: Your own kubeconfig</p>');
    expect(first).toMatch(/<button type="button" class="copy" hidden>Copy<\/button><pre><code class="hljs language-yaml"><span class="hljs-attr">apiVersion:<\/span>/);
  });

  it('shows the current source of a LAB region where a lesson includes it', () => {
    const source = readFileSync(join(ROOT, INCLUDED), 'utf8');
    const [region] = findRegions(source, INCLUDED).filter((r) => r.lab === 'replicasets');
    const body = source.split('\n').slice(region.beginLine + 1, region.endLine);
    const html = page('01-first.html');
    expect(html).toContain(`<figcaption><code>${INCLUDED}</code></figcaption>`);
    const shown = decode(html.replace(/<[^>]+>/g, ''));
    for (const line of body.filter((l) => l.trim())) expect(shown).toContain(line.trim());
    expect(shown).not.toContain('LAB(replicasets) begin');
  });

  it('chains the pages with prev/next links in course order', () => {
    expect(page('index.html')).toContain('<link rel="next" href="00-setup.html">');
    expect(page('01-first.html')).toContain('<link rel="prev" href="00-setup.html">');
    expect(page('01-first.html')).toContain('<link rel="next" href="02-second.html">');
    expect(page('contract.html')).not.toContain('rel="next"');
    expect(page('print.html')).not.toMatch(/rel="(prev|next)"/);
  });

  it('lists every check in the catalogue with its points, step, needs and a link to what it cites', () => {
    const catalogue = page('catalogue.html');
    expect(catalogue).toContain('<tr id="check-fixture.serve.lost">');
    expect(catalogue).toContain('<a href="01-first.html#step-serve">Serve HTTP</a>');
    expect(catalogue).toContain('<code>kill-node</code>');
    expect(catalogue).toContain('<a href="https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kubelet.go">k8s.io/kubernetes/pkg/kubelet/kubelet.go</a>');
  });

  it('puts every lesson on the print page with ids that do not collide', () => {
    const print = page('print.html');
    expect(print).toContain('id="01-first-step-run"');
    expect(print).toContain('id="02-second-step-scale"');
    const ids = [...print.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBe(new Set(ids).size);
  });

  it('keeps links between lessons inside the print page, and every in-page link has its target', () => {
    const print = page('print.html');
    const main = print.slice(print.indexOf('<main'), print.indexOf('</main>'));
    // 01-first links to the setup lesson, the second lab, a step of it, and a step of its own.
    expect(main).toContain('href="#00-setup-lesson"');
    expect(main).toContain('href="#02-second-lesson"');
    expect(main).toContain('href="#02-second-step-scale"');
    expect(main).toContain('href="#01-first-step-run"');
    expect(main).not.toMatch(/href="0\d-[a-z]+\.html/); // no lesson page left: all of them are on this page
    // The catalogue is not printed: its links still lead to its page.
    expect(main).toContain('href="catalogue.html#check-fixture.run.starts"');
    const ids = new Set([...print.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    const fragments = [...print.matchAll(/\shref="#([^"]*)"/g)].map((m) => m[1]);
    expect(fragments.length).toBeGreaterThan(10);
    expect(fragments.filter((f) => !ids.has(f))).toEqual([]);
  });

  it('writes a search index script covering the pages', () => {
    const script = readFileSync(join(out, 'assets', 'search-index.js'), 'utf8');
    const docs = JSON.parse(script.replace(/^[\s\S]*?window\.KUBELAB_SEARCH = /, '').replace(/;\s*$/, '')) as { url: string }[];
    expect(docs.some((d) => d.url === '01-first.html#step-run')).toBe(true);
    expect(docs.some((d) => d.url === 'catalogue.html#check-fixture.run.starts')).toBe(true);
    expect(docs.some((d) => d.url.startsWith('print.html'))).toBe(false);
    expect(existsSync(join(out, 'assets', 'minisearch.js'))).toBe(true);
  });

  it('has a search index that the browser build of MiniSearch loads and finds a step\'s section in', () => {
    // The two scripts as a page loads them, in a context of their own whose global is the window.
    const window: Record<string, any> = {};
    const context = createContext(window);
    window.window = window;
    for (const script of ['minisearch.js', 'search-index.js']) runInContext(readFileSync(join(out, 'assets', script), 'utf8'), context);
    const index = new window.MiniSearch({ fields: ['title', 'text'], storeFields: ['title', 'url'], searchOptions: { prefix: true } });
    index.addAll(window.KUBELAB_SEARCH);
    const [hit] = index.search('calculateStatus');
    expect(hit).toMatchObject({ url: '01-first.html#build-it', title: 'Run a first pod › Step 1: Run a pod › Build it' });
  });
});

describe('kubelab site build fails with a clear message', () => {
  const temp = tempDir();
  afterAll(() => temp.remove());

  /** The fixture labs with the first lab's README changed. */
  function labsWith(change: (readme: string) => string, name: string): string {
    const labs = join(temp.dir, name);
    cpSync(FIXTURE_LABS, labs, { recursive: true });
    const readme = join(labs, '01-first', 'README.md');
    // The copy lives outside the repository: its one link into the repository would break.
    writeFileSync(readme, change(readFileSync(readme, 'utf8')).replace('../../../../../reference/DEVIATIONS.md', 'manifests/pod.yaml'));
    return labs;
  }

  it('not on a check id the suite lacks: that step shows it, unlinked, and the build warns', async () => {
    const labs = labsWith((t) => t, 'unknown-check');
    writeFileSync(join(labs, '02-second', 'lab.yaml'), readFileSync(join(labs, '02-second', 'lab.yaml'), 'utf8').replace('fixture.nodes.back', 'fixture.nodes.gone'));
    const out = join(temp.dir, 'out0');
    const result = await buildFixture(out, labs);
    expect(result.warnings).toEqual(['unknown-check/02-second/lab.yaml: no check in the suite has the id fixture.nodes.gone']);
    expect(readFileSync(join(out, '02-second.html'), 'utf8')).toContain('<li data-check="fixture.nodes.gone"><span class="status" hidden></span><code>fixture.nodes.gone</code> <em>not in the suite</em>');
    expect(checkLinks(out)).toEqual([]);
  });

  it('on a missing LAB region', async () => {
    const labs = labsWith((t) => t.replace('status.ts#replicasets', 'status.ts#deployments'), 'no-region');
    await expect(buildFixture(join(temp.dir, 'out1'), labs)).rejects.toThrow(`no-region/01-first/README.md: <!-- code: ${INCLUDED}#deployments -->: ${INCLUDED} has no LAB(deployments) region`);
  });

  it('on a missing source file', async () => {
    const labs = labsWith((t) => t.replace('status.ts#replicasets', 'gone.ts#replicasets'), 'no-file');
    await expect(buildFixture(join(temp.dir, 'out2'), labs)).rejects.toThrow('there is no file reference/src/controllers/replicaset/gone.ts');
  });

  it('on a broken link', async () => {
    const labs = labsWith((t) => t.replace('manifests/pod.yaml)', 'manifests/missing.yaml)'), 'broken-link');
    await expect(buildFixture(join(temp.dir, 'out3'), labs)).rejects.toThrow('broken link "manifests/missing.yaml"');
  });

  it('on a step marker that names no step of lab.yaml', async () => {
    const labs = labsWith((t) => t.replace('<!-- step: serve -->', '<!-- step: server -->'), 'bad-step');
    await expect(buildFixture(join(temp.dir, 'out4'), labs)).rejects.toThrow('<!-- step: server --> names no step (its lab.yaml has the steps run, serve)');
  });

  it('and does not clear a folder it did not make', async () => {
    writeFileSync(join(temp.dir, 'precious.txt'), 'keep me');
    await expect(buildFixture(temp.dir)).rejects.toThrow('is not empty and was not made by kubelab site build');
    expect(existsSync(join(temp.dir, 'precious.txt'))).toBe(true);
  });
});
