// The LAB regions of the reference, and how the starter kit stubs them out.
//
// A region is the code a lab asks a student to write:
//
//   // LAB(replicasets) begin: what the student writes, in a few words
//   …
//   // LAB end
//
// Two shapes are allowed, so that the stubbed file still type-checks:
//
// 1. Inside a function body: the marks are statements of one block and the
//    region is whole statements. The stub replaces them with one `throw`. Code
//    after the region may stay (it is unreachable then), but the region must not
//    declare a name that code after it uses.
// 2. At file or class level: the region is whole declarations. Every function,
//    method or arrow function declared in it keeps its doc comment and its
//    signature; its body becomes one `throw`, which satisfies any return type.
//    Everything else (types, constants, helpers' signatures) stays.
//
// Regions do not nest, and a lab name is lower-case letters and dashes.

import ts from 'typescript';

export interface Region {
  lab: string;
  /** The text after "begin:", or '' when the mark has none. */
  description: string;
  /** 0-based line numbers of the begin and end marks. */
  beginLine: number;
  endLine: number;
}

const BEGIN = /^\s*\/\/ LAB\(([a-z][a-z-]*)\) begin(?::\s*(.*?))?\s*$/;
const END = /^\s*\/\/ LAB end\s*$/;
const ANY_MARK = /\/\/ LAB(\(|\s+end)/;

/** The regions of one file, in order; throws on unbalanced or malformed marks. */
export function findRegions(text: string, file = 'file'): Region[] {
  const regions: Region[] = [];
  let open: Omit<Region, 'endLine'> | undefined;
  text.split('\n').forEach((line, i) => {
    const begin = BEGIN.exec(line);
    if (begin) {
      if (open) throw new Error(`${file}:${i + 1}: LAB(${begin[1]}) begins inside LAB(${open.lab}) (line ${open.beginLine + 1}); regions do not nest`);
      open = { lab: begin[1], description: begin[2] ?? '', beginLine: i };
    } else if (END.test(line)) {
      if (!open) throw new Error(`${file}:${i + 1}: LAB end without a LAB(<lab>) begin`);
      regions.push({ ...open, endLine: i });
      open = undefined;
    } else if (ANY_MARK.test(line)) {
      throw new Error(`${file}:${i + 1}: malformed LAB mark (write "// LAB(<lab>) begin: <what>" or "// LAB end")`);
    }
  });
  if (open) throw new Error(`${file}:${open.beginLine + 1}: LAB(${open.lab}) begin without a LAB end`);
  return regions;
}

/** What a stub says, e.g. "TODO(lab replicasets): scale to spec.replicas; see labs/02-replicasets". */
export type StubMessage = (region: Region, fallback: string) => string;

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * The file with the regions of every lab not in `keep` replaced by stubs. The
 * marks of a stripped region give way to one `// TODO(lab …)` comment; kept
 * regions keep their marks.
 */
export function stubRegions(text: string, file: string, keep: ReadonlySet<string>, message: StubMessage): { text: string; stubbed: Region[] } {
  const regions = findRegions(text, file).filter((r) => !keep.has(r.lab));
  if (regions.length === 0) return { text, stubbed: [] };
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lineStarts = source.getLineStarts();
  const edits: Edit[] = [];
  for (const region of regions) edits.push(...stubOne(source, lineStarts, region, message));
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const edit of edits) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return { text: out, stubbed: regions };
}

function stubOne(source: ts.SourceFile, lineStarts: readonly number[], region: Region, message: StubMessage): Edit[] {
  const where = `${source.fileName}:${region.beginLine + 1}`;
  const begin = lineStarts[region.beginLine];
  const beginEnd = lineStarts[region.beginLine + 1] - 1; // the newline after the begin mark
  const end = lineStarts[region.endLine];
  const endEnd = region.endLine + 1 < lineStarts.length ? lineStarts[region.endLine + 1] : source.text.length;
  const indent = /^\s*/.exec(source.text.slice(begin, beginEnd))![0];

  const container = innermostContainer(source, begin, endEnd);
  const members = childrenOf(container);
  const inside = members.filter((n) => n.getStart(source) > beginEnd && n.end <= end);
  const straddling = members.filter((n) => n.getStart(source) < endEnd && n.end > begin && !inside.includes(n));
  if (straddling.length) throw new Error(`${where}: LAB(${region.lab}) cuts a statement or declaration in two; a region holds whole ones`);
  if (inside.length === 0) throw new Error(`${where}: LAB(${region.lab}) is empty`);

  if (ts.isBlock(container) || ts.isCaseClause(container) || ts.isDefaultClause(container)) {
    // Shape 1: whole statements in a function body → one throw.
    const text = `${indent}// TODO(lab ${region.lab}): ${describe(region, container)}\n${indent}throw new Error(${quote(message(region, describe(region, container)))});\n`;
    return [{ start: begin, end: endEnd, text }];
  }

  // Shape 2: declarations → each function keeps its signature, its body throws.
  const bodies: ts.Node[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      bodies.push(node.body as ts.Node);
      return; // a nested function goes with its outer one
    }
    ts.forEachChild(node, visit);
  };
  inside.forEach(visit);
  if (bodies.length === 0) throw new Error(`${where}: LAB(${region.lab}) declares no function to stub`);
  const fallback = describe(region, inside[0]);
  const edits: Edit[] = bodies.map((body) => {
    const bodyIndent = /^\s*/.exec(source.text.slice(lineStarts[source.getLineAndCharacterOfPosition(body.getStart(source)).line]))![0];
    // Several functions in one region: each stub names its own.
    const name = bodies.length > 1 ? functionName(body.parent) : undefined;
    const what = name && !fallback.includes(name) ? `${fallback}; write ${name}` : fallback;
    const text = `{\n${bodyIndent}  throw new Error(${quote(message(region, what))});\n${bodyIndent}}`;
    return { start: body.getStart(source), end: body.end, text };
  });
  edits.push({ start: begin, end: beginEnd + 1, text: `${indent}// TODO(lab ${region.lab}): ${fallback}\n` });
  edits.push({ start: end, end: endEnd, text: '' });
  return edits;
}

/** The deepest block, class, or file whose statements or members hold the region. */
function innermostContainer(source: ts.SourceFile, start: number, end: number): ts.Node {
  let found: ts.Node = source;
  const visit = (node: ts.Node) => {
    if (node.getStart(source) > start || node.end < end) return;
    if (childrenOf(node).length || ts.isBlock(node)) found = node;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(source, visit);
  return found;
}

function childrenOf(node: ts.Node): readonly ts.Node[] {
  if (ts.isSourceFile(node) || ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) return node.statements;
  if (ts.isClassLike(node)) return node.members;
  return [];
}

/** The mark's own words, or else the name of what the region declares or is in. */
function describe(region: Region, node: ts.Node): string {
  if (region.description) return region.description;
  let named: ts.Node | undefined = node;
  while (named && !(named as { name?: ts.Node }).name) named = named.parent;
  const name = (named as { name?: ts.Node } | undefined)?.name?.getText();
  return name ? `write ${name}` : 'write this part';
}

function functionName(fn: ts.Node): string | undefined {
  const own = (fn as { name?: ts.Node }).name;
  if (own) return own.getText();
  return ts.isVariableDeclaration(fn.parent) ? fn.parent.name.getText() : undefined;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
