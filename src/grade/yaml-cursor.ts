// A small typed walker over a parsed YAML (or JSON) document that remembers, for every value,
// its key path (`tests[2].expect.stdout`) and source position, so spec errors can say where.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

export interface SpecProblem {
  path: string;
  line: number;
  col: number;
  message: string;
}

/** Every problem found in a spec, formatted `file:line:col: path: message`. */
export class SpecError extends Error {
  constructor(
    readonly file: string,
    readonly problems: SpecProblem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'SpecError';
  }
}

export function formatProblem(file: string, p: SpecProblem): string {
  const where = p.line > 0 ? `${file}:${p.line}:${p.col}` : file;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

export class Problems {
  readonly list: SpecProblem[] = [];
  constructor(private readonly lines: LineCounter) {}

  at(cur: Cursor, message: string, atKey = false): void {
    const off = atKey && cur.keyOffset !== undefined ? cur.keyOffset : cur.offset();
    const pos = off >= 0 ? this.lines.linePos(off) : { line: 0, col: 0 };
    this.list.push({ path: cur.path, line: pos.line, col: pos.col, message });
  }
}

export type Kind = 'map' | 'seq' | 'string' | 'number' | 'boolean' | 'null';

/** A position in the document: a node (or a missing key of a parent node) and its path. */
export class Cursor {
  constructor(
    readonly doc: Document,
    readonly node: Node | null,
    readonly path: string,
    private readonly fallbackOffset: number,
    /** Where this value's key is, for entries of a mapping. */
    readonly keyOffset?: number,
  ) {}

  private resolved(): Node | null {
    let n: unknown = this.node;
    for (let i = 0; i < 16 && isAlias(n); i++) n = (n as { resolve(d: Document): unknown }).resolve(this.doc);
    return (n as Node) ?? null;
  }

  offset(): number {
    return this.node?.range?.[0] ?? this.fallbackOffset;
  }

  kind(): Kind {
    const n = this.resolved();
    if (n === null || n === undefined) return 'null';
    if (isMap(n)) return 'map';
    if (isSeq(n)) return 'seq';
    if (isScalar(n)) {
      const v = n.value;
      if (v === null || v === undefined) return 'null';
      if (typeof v === 'string') return 'string';
      if (typeof v === 'number' || typeof v === 'bigint') return 'number';
      if (typeof v === 'boolean') return 'boolean';
    }
    return 'string';
  }

  /** The scalar value (strings, numbers, booleans, null). */
  value(): unknown {
    const n = this.resolved();
    if (!n || !isScalar(n)) return n ? undefined : null;
    return typeof n.value === 'bigint' ? Number(n.value) : n.value;
  }

  /** Plain JS value of the whole subtree. */
  toJS(): unknown {
    const n = this.resolved();
    if (!n) return null;
    return (n as { toJS(doc: Document): unknown }).toJS(this.doc);
  }

  /** Map entries in source order, keys as strings. */
  entries(): [string, Cursor][] {
    const n = this.resolved();
    if (!n || !isMap(n)) return [];
    return n.items.map((pair) => {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const valueNode = (pair.value as Node | null) ?? null;
      const off = valueNode?.range?.[0] ?? keyNode?.range?.[0] ?? this.offset();
      return [key, new Cursor(this.doc, valueNode, joinPath(this.path, key), off, keyNode?.range?.[0])];
    });
  }

  get(key: string): Cursor | undefined {
    return this.entries().find(([k]) => k === key)?.[1];
  }

  /** The cursor for a key that may be absent (errors then point at this map). */
  child(key: string): Cursor {
    return this.get(key) ?? new Cursor(this.doc, null, joinPath(this.path, key), this.offset());
  }

  items(): Cursor[] {
    const n = this.resolved();
    if (!n || !isSeq(n)) return [];
    return n.items.map((item, i) => new Cursor(this.doc, (item as Node) ?? null, `${this.path}[${i}]`, (item as Node)?.range?.[0] ?? this.offset()));
  }
}

function joinPath(base: string, key: string): string {
  const simple = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key);
  if (!base) return simple ? key : JSON.stringify(key);
  return simple ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** Parses YAML or JSON text; syntax errors become problems with positions. */
export function parseSpecText(text: string, file: string): { root: Cursor; problems: Problems } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const problems = new Problems(lines);
  if (doc.errors.length) {
    const list = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { path: '', line: pos.line, col: pos.col, message: e.message.split('\n')[0] };
    });
    throw new SpecError(file, list);
  }
  return { root: new Cursor(doc, (doc.contents as Node) ?? null, '', 0), problems };
}

/** Closest candidate by edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null, bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  return bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
