// Pagination: ?limit=N returns at most N objects and a metadata.continue token while
// more remain; following the tokens walks every object exactly once, and all pages
// are one snapshot, read at the resourceVersion of the first page.

import { check } from '../../lib/check.ts';
import { plain, type CheckContext } from '../../lib/context.ts';
import { configMapManifest, namesOf } from './support.ts';

const CITES = 'kubernetes.io/docs/reference/using-api/api-concepts/ (Retrieving large results sets in chunks)';

interface Page { names: string[]; resourceVersion?: string; continueToken?: string }

async function createConfigMaps(t: CheckContext, namespace: string, count: number, labels?: Record<string, string>): Promise<void> {
  t.step(`create ${count} ConfigMaps${labels ? ` labelled ${JSON.stringify(labels)}` : ''}`);
  await Promise.all(Array.from({ length: count }, (_, i) =>
    t.core.createNamespacedConfigMap({ namespace, body: configMapManifest(`cm-${labels ? 'l' : 'u'}${String(i).padStart(2, '0')}`, namespace, { i: String(i) }, labels) })));
}

/** Lists page by page until no continue token is left, checking each page's size. */
async function walk(t: CheckContext, namespace: string, limit: number, labelSelector?: string, between?: (page: number) => Promise<void>): Promise<Page[]> {
  const pages: Page[] = [];
  let token: string | undefined;
  do {
    t.step(`list ConfigMaps with limit=${limit}${labelSelector ? `, labelSelector=${labelSelector}` : ''}${token ? ', continue=…' : ''}`);
    const list = await t.core.listNamespacedConfigMap({ namespace, limit, labelSelector, _continue: token });
    const page = { names: namesOf(list), resourceVersion: list.metadata?.resourceVersion, continueToken: list.metadata?._continue || undefined };
    if (page.names.length > limit) {
      t.fail(`at most ${limit} objects per page`, `${page.names.length}: ${page.names.join(', ')}`, [{ label: 'list metadata', value: plain(list.metadata) }]);
    }
    if (page.continueToken && page.names.length === 0) {
      t.fail('a page with a continue token to carry objects', 'an empty page with a continue token', [{ label: 'list metadata', value: plain(list.metadata) }]);
    }
    pages.push(page);
    if (pages.length > 50) t.fail('the continue tokens to end', 'more than 50 pages', [{ label: 'pages', value: pages }]);
    token = page.continueToken;
    if (token && between) await between(pages.length);
  } while (token);
  return pages;
}

function expectExactlyOnce(t: CheckContext, pages: Page[], expected: string[], what: string): void {
  const walked = pages.flatMap((p) => p.names);
  const sortedWalk = [...walked].sort();
  if (JSON.stringify(sortedWalk) !== JSON.stringify([...expected].sort())) {
    const dupes = walked.filter((n, i) => walked.indexOf(n) !== i);
    const missing = expected.filter((n) => !walked.includes(n));
    const extra = walked.filter((n) => !expected.includes(n));
    t.fail(`${what}: every object exactly once`, `missing [${missing.join(', ')}], twice [${dupes.join(', ')}], unexpected [${extra.join(', ')}]`,
      [{ label: 'pages', value: pages.map((p) => ({ names: p.names, resourceVersion: p.resourceVersion, continue: p.continueToken ? '(set)' : '(none)' })) }]);
  }
}

check({
  id: 'api.pagination.walk',
  title: 'A list with limit returns at most limit objects and a continue token; following the tokens walks every object exactly once, and every page carries the same resourceVersion',
  lab: 'api', points: 2, cites: CITES,
}, async (t) => {
  const namespace = await t.namespace();
  await createConfigMaps(t, namespace, 7);
  t.step('list all ConfigMaps without limit');
  const all = namesOf(await t.core.listNamespacedConfigMap({ namespace }));
  const pages = await walk(t, namespace, 3);
  if (pages.length < 3) {
    t.fail(`at least 3 pages for ${all.length} objects with limit=3`, `${pages.length} pages`, [{ label: 'pages', value: pages }]);
  }
  expectExactlyOnce(t, pages, all, 'the pages of limit=3');
  const versions = [...new Set(pages.map((p) => p.resourceVersion))];
  if (versions.length !== 1 || !versions[0]) {
    t.fail('one resourceVersion on every page (the snapshot the first page was read at)', `resourceVersions ${JSON.stringify(pages.map((p) => p.resourceVersion))}`,
      [{ label: 'pages', value: pages }], 'keep the first page\'s revision in the continue token and read later pages at it');
  }
});

check({
  id: 'api.pagination.snapshot',
  title: 'Objects created while a client pages through a list do not appear in later pages: the pages are one snapshot',
  lab: 'api', points: 1, cites: CITES,
}, async (t) => {
  const namespace = await t.namespace();
  await createConfigMaps(t, namespace, 6);
  t.step('list all ConfigMaps without limit');
  const all = namesOf(await t.core.listNamespacedConfigMap({ namespace }));
  const pages = await walk(t, namespace, 2, undefined, async (page) => {
    t.step(`create ConfigMap zz-late-${page} between pages`);
    await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest(`zz-late-${page}`, namespace) });
  });
  expectExactlyOnce(t, pages, all, 'the pages of a list during which objects were created');
});

check({
  id: 'api.pagination.with-selector',
  title: 'Paging a list with a label selector returns only matching objects, at most limit per page, each exactly once',
  lab: 'api', points: 1, cites: CITES,
}, async (t) => {
  const namespace = await t.namespace();
  await createConfigMaps(t, namespace, 5, { pick: 'yes' });
  await createConfigMaps(t, namespace, 5);
  t.step('list ConfigMaps with labelSelector=pick=yes without limit');
  const picked = namesOf(await t.core.listNamespacedConfigMap({ namespace, labelSelector: 'pick=yes' }));
  if (picked.length !== 5) t.fail('5 ConfigMaps labelled pick=yes', `${picked.length}: ${picked.join(', ')}`);
  const pages = await walk(t, namespace, 2, 'pick=yes');
  expectExactlyOnce(t, pages, picked, 'the pages of pick=yes with limit=2');
});
