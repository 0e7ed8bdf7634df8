// Reads an instruction table (isa/*.isa) into instruction definitions.
// The table is the single source of encodings and syntax for decoder, disassembler and assembler.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

export interface Field {
  name: string;
  lo: number; // lowest bit
  width: number;
}

/** One piece of an operand list: an operand name or literal punctuation. */
export type SyntaxPart = { kind: 'operand'; name: string } | { kind: 'text'; text: string };

export interface InsnDef {
  id: number;
  name: string;
  mask: number; // bits fixed by the encoding (unsigned)
  match: number; // their values
  fields: Field[];
  syntax: SyntaxPart[];
  flags: ReadonlySet<string>;
  line: number;
}

export interface AliasDef {
  name: string;
  base: InsnDef;
  conds: { field: Field; value: number }[];
  syntax: SyntaxPart[];
  /** keep: printed even with --no-aliases; nodis: never printed (assembler only). */
  flags: ReadonlySet<string>;
  line: number;
}

export interface IsaTable {
  insns: InsnDef[];
  byName: Map<string, InsnDef>;
  aliases: AliasDef[];
  aliasesOf: Map<number, AliasDef[]>; // base insn id -> its aliases, in table order
}

export class IsaTableError extends Error {}

export const KNOWN_FLAGS = new Set([
  'branch', 'likely', 'jump', 'link', 'indirect', 'load', 'store', 'trap', 'ovf', 'priv',
  'cp0', 'cp1', 'ds', 'nodis', 'fmt_s', 'fmt_d', 'fmt_w', 'fmt_l', 'eret',
]);

export const KNOWN_ALIAS_FLAGS = new Set(['keep', 'nodis']);

/** Operand names that are not fields but computed from them ('zero' is GPR 0, not encoded). */
export const COMPUTED_OPERANDS = new Set(['extsize', 'inssize', 'zero']);

export function parseSyntax(text: string): SyntaxPart[] {
  const parts: SyntaxPart[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)|([^A-Za-z_]+)/g;
  for (const m of text.trim().matchAll(re)) {
    if (m[1]) parts.push({ kind: 'operand', name: m[1] });
    else parts.push({ kind: 'text', text: m[2].replace(/\s+/g, '') });
  }
  return parts.filter((p) => p.kind === 'operand' || p.text !== '');
}

export function fieldValue(f: Field, word: number): number {
  return f.width === 32 ? word >>> 0 : (word >>> f.lo) & ((1 << f.width) - 1);
}

export function parseIsa(source: string, fileName = 'isa'): IsaTable {
  const insns: InsnDef[] = [];
  const byName = new Map<string, InsnDef>();
  const aliases: AliasDef[] = [];
  const errors: string[] = [];
  const lines = source.split('\n');
  const pendingAliases: { line: number; text: string }[] = [];

  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const text = raw.replace(/#.*/, '').trimEnd();
    if (text.trim() === '') return;
    try {
      if (/^alias\s/.test(text)) {
        pendingAliases.push({ line: lineNo, text });
        return;
      }
      const cols = text.split('|');
      if (cols.length !== 3) throw new IsaTableError('expected "name encoding | syntax | flags"');
      const head = cols[0].trim().split(/\s+/);
      const name = head[0];
      if (!/^[a-z][a-z0-9.]*$/.test(name)) throw new IsaTableError(`bad instruction name '${name}'`);
      let bit = 32;
      let mask = 0;
      let match = 0;
      const fields: Field[] = [];
      for (const group of head.slice(1)) {
        const fm = /^([a-z][a-z0-9]*):(\d+)$/.exec(group);
        if (fm) {
          const width = Number(fm[2]);
          bit -= width;
          if (width < 1 || bit < 0) throw new IsaTableError(`field '${group}' does not fit in 32 bits`);
          fields.push({ name: fm[1], lo: bit, width });
        } else if (/^[01-]+$/.test(group)) {
          for (const c of group) {
            bit -= 1;
            if (bit < 0) throw new IsaTableError('encoding is longer than 32 bits');
            if (c !== '-') {
              mask |= 1 << bit;
              if (c === '1') match |= 1 << bit;
            }
          }
        } else {
          throw new IsaTableError(`bad encoding group '${group}' (expected bits like 010 or a field like rs:5)`);
        }
      }
      if (bit !== 0) throw new IsaTableError(`encoding has ${32 - bit} bits, expected 32`);
      const syntax = parseSyntax(cols[1]);
      for (const p of syntax) {
        if (p.kind === 'operand' && !fields.some((f) => f.name === p.name) && !COMPUTED_OPERANDS.has(p.name)) {
          throw new IsaTableError(`operand '${p.name}' is not a field of ${name}`);
        }
      }
      const flags = new Set(cols[2].trim().split(/\s+/).filter(Boolean));
      for (const f of flags) if (!KNOWN_FLAGS.has(f)) throw new IsaTableError(`unknown flag '${f}'`);
      if (byName.has(name)) throw new IsaTableError(`duplicate instruction '${name}'`);
      const def: InsnDef = { id: insns.length, name, mask: mask >>> 0, match: match >>> 0, fields, syntax, flags, line: lineNo };
      insns.push(def);
      byName.set(name, def);
    } catch (e) {
      if (!(e instanceof IsaTableError)) throw e;
      errors.push(`${fileName}:${lineNo}: ${e.message}`);
    }
  });

  for (const { line, text } of pendingAliases) {
    try {
      const cols = text.split('|');
      if (cols.length !== 2 && cols.length !== 3) throw new IsaTableError('expected "alias name base field=value... | syntax [| flags]"');
      const [, name, baseName, ...conds] = cols[0].trim().split(/\s+/);
      const base = byName.get(baseName ?? '');
      if (!name || !/^[a-z][a-z0-9._]*$/.test(name)) throw new IsaTableError(`bad alias name '${name ?? ''}'`);
      if (!base) throw new IsaTableError(`alias of unknown instruction '${baseName}'`);
      const parsedConds = conds.map((c) => {
        const m = /^([a-z0-9]+)=(\d+)$/.exec(c);
        const field = m && base.fields.find((f) => f.name === m[1]);
        if (!m || !field) throw new IsaTableError(`bad alias condition '${c}' for ${baseName}`);
        return { field, value: Number(m[2]) };
      });
      const syntax = parseSyntax(cols[1]);
      for (const p of syntax) {
        if (p.kind === 'operand' && !base.fields.some((f) => f.name === p.name) && !COMPUTED_OPERANDS.has(p.name)) {
          throw new IsaTableError(`operand '${p.name}' is not a field of ${baseName}`);
        }
      }
      const flags = new Set((cols[2] ?? '').trim().split(/\s+/).filter(Boolean));
      for (const f of flags) if (!KNOWN_ALIAS_FLAGS.has(f)) throw new IsaTableError(`unknown alias flag '${f}'`);
      aliases.push({ name, base, conds: parsedConds, syntax, flags, line });
    } catch (e) {
      if (!(e instanceof IsaTableError)) throw e;
      errors.push(`${fileName}:${line}: ${e.message}`);
    }
  }

  // Two instructions must never claim the same word (same fixed bits, same values there).
  const seen = new Map<string, InsnDef>();
  for (const y of insns) {
    const key = `${y.mask}:${y.match & y.mask}`;
    const x = seen.get(key);
    if (x) errors.push(`${fileName}:${y.line}: encoding of ${y.name} is identical to ${x.name} (line ${x.line})`);
    else seen.set(key, y);
  }
  if (errors.length) throw new IsaTableError(`malformed instruction table:\n  ${errors.join('\n  ')}`);

  const aliasesOf = new Map<number, AliasDef[]>();
  for (const al of aliases) {
    const list = aliasesOf.get(al.base.id) ?? [];
    list.push(al);
    aliasesOf.set(al.base.id, list);
  }
  return { insns, byName, aliases, aliasesOf };
}

const here = dirname(fileURLToPath(import.meta.url));
/** The package's isa/ folder, found from both src/ (tsx, vitest) and dist/. */
export const ISA_DIR = resolve(here, '../../isa');

/**
 * A parsed table in plain JSON form, with the source text it was parsed from. `npm run build`
 * (scripts/bundle.mjs) parses isa/mips32.isa and embeds this in the bundles as
 * __ASMBOX_ISA_CACHE__; mips32Table() uses it only while isa/mips32.isa still has exactly that
 * text, which saves parsing (~15-20 ms of every start-up). The bundle is built from this very
 * parser, so the cache cannot be from an older one; tsc output and tests (no define) always parse.
 */
export interface IsaTableCache {
  format: 1;
  fileName: string;
  source: string;
  insns: [name: string, mask: number, match: number, fields: [string, number, number][], syntax: SyntaxPart[], flags: string[], line: number][];
  aliases: [name: string, base: number, conds: [field: number, value: number][], syntax: SyntaxPart[], flags: string[], line: number][];
}

export function serializeIsaTable(table: IsaTable, source: string, fileName: string): IsaTableCache {
  return {
    format: 1,
    fileName,
    source,
    insns: table.insns.map((d) => [d.name, d.mask, d.match, d.fields.map((f) => [f.name, f.lo, f.width]), d.syntax, [...d.flags], d.line]),
    aliases: table.aliases.map((a) => [a.name, a.base.id, a.conds.map((c) => [a.base.fields.indexOf(c.field), c.value]), a.syntax, [...a.flags], a.line]),
  };
}

export function deserializeIsaTable(cache: IsaTableCache): IsaTable {
  const insns: InsnDef[] = [];
  const byName = new Map<string, InsnDef>();
  for (const [name, mask, match, fields, syntax, flags, line] of cache.insns) {
    const def: InsnDef = { id: insns.length, name, mask, match, fields: fields.map(([n, lo, width]) => ({ name: n, lo, width })), syntax, flags: new Set(flags), line };
    insns.push(def);
    byName.set(name, def);
  }
  const aliases: AliasDef[] = [];
  const aliasesOf = new Map<number, AliasDef[]>();
  for (const [name, baseId, conds, syntax, flags, line] of cache.aliases) {
    const base = insns[baseId];
    const al: AliasDef = { name, base, conds: conds.map(([f, value]) => ({ field: base.fields[f], value })), syntax, flags: new Set(flags), line };
    aliases.push(al);
    const list = aliasesOf.get(baseId);
    if (list) list.push(al);
    else aliasesOf.set(baseId, [al]);
  }
  return { insns, byName, aliases, aliasesOf };
}

/** The table for `source`: from `cache` when it was made from exactly this text, else parsed. */
export function loadIsaTable(source: string, fileName: string, cache?: IsaTableCache | null): IsaTable {
  if (cache && cache.format === 1 && cache.fileName === fileName && cache.source === source) return deserializeIsaTable(cache);
  return parseIsa(source, fileName);
}

declare const __ASMBOX_ISA_CACHE__: string | undefined; // defined by scripts/bundle.mjs (a JSON string)

let mipsTable: IsaTable | undefined;
export function mips32Table(): IsaTable {
  if (!mipsTable) {
    const file = resolve(ISA_DIR, 'mips32.isa');
    const cache = typeof __ASMBOX_ISA_CACHE__ === 'string' ? (JSON.parse(__ASMBOX_ISA_CACHE__) as IsaTableCache) : null;
    mipsTable = loadIsaTable(readFileSync(file, 'utf8'), 'isa/mips32.isa', cache);
  }
  return mipsTable;
}
