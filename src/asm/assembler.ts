// The assembler proper: two passes over the statements.
//   pass 1: labels, directives and layout; each instruction is matched against its forms
//           (table instruction, aliases, pseudo-instructions) and expanded to real
//           instructions whose fields may still depend on labels;
//   pass 2: every field is evaluated and encoded, data fixups are filled in.
// Errors are collected (never thrown out of assemble()) so one run reports all of them.
import { readFileSync } from 'node:fs';
import { EncodeError, encodeFields } from '../isa/encoder.js';
import type { Field } from '../isa/table.js';
import { AsmError, Diagnostics, nearest, type Span } from './diagnostics.js';
import { evaluate, exprSpan, isHalfword, toWord, type Expr } from './expr.js';
import {
  AsmTable, Gen, isLazy, isRel, Mismatch, matchTableForm, describeOperand,
  type Emit, type FV, type GenOptions, type MatchEnv, type PV, type TableForm,
} from './forms.js';
import { Chunk, SegmentImage } from './image.js';
import { layoutByName, type Layout, type LayoutName, type SegKind } from './layout.js';
import { spanOf, type Token } from './lexer.js';
import { parseStatement, type Operand, type Stmt } from './parser.js';
import { BARE_PSEUDO, expandMemRule, matchSig, PSEUDO, pseudoNames, RENAMES, type PseudoRule } from './pseudo.js';
import { SourceReader, type SourceInput } from './source.js';

export type StartMode = 'spim' | 'mars' | 'main';

export interface AsmOptions {
  /** Memory layout (default: SPIM/MARS; compact: MARS's compact, text at 0; bare: SPIM -bare). */
  layout?: LayoutName;
  /** SPIM -bare: no pseudo-instructions, data at 0x10000000, delayed branches. */
  bare?: boolean;
  /** Where execution starts (see START_HELP). */
  start?: StartMode;
  /** Branches have delay slots (affects branches inside expansions). */
  delaySlots?: boolean;
  bigEndian?: boolean;
  readFile?: (path: string) => string;
  /** Largest image (all segments) in bytes. */
  maxImageBytes?: number;
}

export const START_HELP = `spim: start at __start if the program defines it, else call main through a start-up stub
      that exits (syscall 10) when main returns; without main, start at the first instruction;
mars: start at the first instruction of the text segment;
main: start at main (MARS's "initialize program counter to global main")`;

export interface AsmSymbol {
  name: string;
  value: number;
  global: boolean;
  kind: 'label' | 'const';
  seg?: SegKind;
  file?: string;
}

export interface LineInfo {
  addr: number;
  file: string;
  line: number;
  /** The statement as written (labels and comment removed). */
  text: string;
  /** Set when the instruction comes from a macro: the macro and its outermost call site. */
  macro?: { name: string; file: string; line: number };
}

export interface ListingEntry {
  addr: number;
  word: number;
  /** First word of a source statement: its location and text. */
  source?: { file: string; line: number; text: string };
}

export interface AsmSegment {
  kind: SegKind;
  addr: number;
  bytes: Uint8Array;
}

export interface AsmProgram {
  bigEndian: boolean;
  delaySlots: boolean;
  layout: Layout;
  entry: number;
  segments: AsmSegment[];
  symbols: AsmSymbol[];
  /** Address -> source line for every instruction that came from source (sorted by addr). */
  lines: LineInfo[];
  /** Words of the code segments with their statements (for --listing). */
  listing: ListingEntry[];
  /** First address after the static data (SPIM's heap starts here). */
  dataEnd: number;
  files: string[];
}

export interface AsmResult {
  program: AsmProgram | null;
  diagnostics: Diagnostics;
}

interface Sym {
  name: string;
  unit: number;
  kind: 'label' | 'const';
  value: number;
  seg?: SegKind;
  span?: Span;
  expr?: Expr;
  known?: boolean;
  resolving?: boolean;
  global?: boolean;
}

/** What pass 2 and the line map keep of a statement (not its tokens: programs can be large). */
interface StmtInfo {
  origin: Stmt['origin'];
  op: Token;
  last: Token;
  text: string;
}

interface InsnItem {
  addr: number;
  chunk: Chunk;
  off: number;
  emit: Emit;
  stmt: StmtInfo | null;
  unit: number;
  first: boolean;
}

/** Where each instruction word is and which statement it came from (line map, listing). */
interface SrcRec {
  addr: number;
  chunk: Chunk;
  off: number;
  stmt: StmtInfo | null;
  first: boolean;
}

interface DataFixup {
  addr: number;
  chunk: Chunk;
  off: number;
  size: 1 | 2 | 4;
  e: Expr;
  unit: number;
}

const CODE_SEGS = new Set<SegKind>(['text', 'ktext']);

/** Directives accepted and ignored (GNU/SPIM bookkeeping). */
const IGNORED_DIRECTIVES = new Set([
  '.ent', '.end', '.frame', '.mask', '.fmask', '.file', '.loc', '.type', '.size', '.verstamp', '.vreg', '.livereg',
  '.option', '.options', '.module', '.abicalls', '.nan', '.gnu_attribute', '.ident', '.previous', '.cpload', '.cprestore',
  '.insn', '.aent', '.bgnb', '.endb', '.asm0', '.alias', '.noalias', '.lab', '.p2alignw', '.hidden', '.protected',
  '.weak', '.local', '.cfi_startproc', '.cfi_endproc', '.cfi_def_cfa', '.cfi_offset', '.cfi_def_cfa_offset',
  '.cfi_restore', '.cfi_sections', '.cfi_signal_frame', '.section',
]);

const KNOWN_DIRECTIVES = [
  '.text', '.data', '.ktext', '.kdata', '.rdata', '.sdata', '.bss', '.globl', '.global', '.extern', '.word', '.half',
  '.byte', '.ascii', '.asciiz', '.string', '.space', '.skip', '.align', '.float', '.double', '.set', '.equ', '.eqv',
  '.macro', '.end_macro', '.include', '.rept', '.repeat', '.endr', '.lcomm', '.comm', '.label', '.struct', '.err',
  '.dword', '.2byte', '.4byte', '.short', '.long', '.int', '.single', ...IGNORED_DIRECTIVES,
];

const MAX_IMAGE = 64 * 1024 * 1024;

const hex = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export function assemble(sources: SourceInput[], opts: AsmOptions = {}): AsmResult {
  const diags = new Diagnostics();
  const asm = new Assembler(diags, opts);
  let program: AsmProgram | null = null;
  try {
    program = asm.run(sources);
  } catch (e) {
    if (e instanceof AsmError) diags.fromError(e);
    // A bug in the assembler: still a message, never a stack trace (ASMBOX_DEBUG shows it).
    else {
      if (process.env.ASMBOX_DEBUG) throw e;
      diags.error(`internal assembler error: ${(e as Error)?.message ?? String(e)} (please report this with the source file)`);
    }
  }
  // Report in source order: files as they were read, then line and column.
  const order = asm.fileOrder();
  const key = (d: (typeof diags.list)[number]) => d.span ? [order.indexOf(d.span.origin.line.file), d.span.origin.line.lineNo, d.span.col] : [-1, 0, 0];
  const sorted = diags.list.map((d, i) => ({ d, i, k: key(d) })).sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.i - b.i);
  diags.list.splice(0, diags.list.length, ...sorted.map((x) => x.d));
  return { program: diags.errorCount ? null : program, diagnostics: diags };
}

class Assembler {
  private readonly table = new AsmTable();
  private readonly layout: Layout;
  private readonly bare: boolean;
  private readonly delaySlots: boolean;
  private readonly bigEndian: boolean;
  private readonly maxImage: number;
  private files: string[] = [];
  private locals: Map<string, Sym>[] = [];
  private readonly globals = new Map<string, Sym>();
  private globlDecls: Map<string, Span>[] = [];
  private readonly externs = new Map<string, { size: number; span: Span; unit: number }>();
  private readonly images: Record<SegKind, SegmentImage> = {
    text: new SegmentImage('text'), data: new SegmentImage('data'), ktext: new SegmentImage('ktext'),
    kdata: new SegmentImage('kdata'), extern: new SegmentImage('extern'),
  };
  private readonly pc: Record<SegKind, number>;
  private seg: SegKind = 'text';
  private autoAlign = true;
  private pending: Sym[] = [];
  /** Instructions whose fields depend on symbols: encoded in pass 2. */
  private readonly items: InsnItem[] = [];
  private readonly records: SrcRec[] = [];
  private readonly fixups: DataFixup[] = [];
  private unit = 0;
  private setAt = true;
  private firstText: number | null = null;
  private atUser: Span | null = null;
  private explicitAt: Span[] = [];
  private stmtExplicitAt: Span[] = [];
  private stmtWarnings: { message: string; span: Span }[] = [];
  private readonly undefinedUses = new Map<string, { span: Span; unit: number }[]>();
  /** Set when an evaluation met an undefined symbol (its range errors would only repeat that). */
  private sawUndefined = false;
  private readonly crossUnitWarned = new Set<string>();
  private imageFull = false;
  private imageBytes = 0;
  private reader: SourceReader | null = null;
  private readonly env: MatchEnv;
  private readonly genOpts: GenOptions;

  constructor(
    private readonly diags: Diagnostics,
    private readonly opts: AsmOptions,
  ) {
    this.bare = !!opts.bare;
    this.layout = layoutByName(opts.layout ?? (this.bare ? 'bare' : 'default'));
    this.delaySlots = opts.delaySlots ?? this.bare;
    this.bigEndian = !!opts.bigEndian;
    this.maxImage = opts.maxImageBytes ?? MAX_IMAGE;
    this.pc = { text: this.layout.text, data: this.layout.data, ktext: this.layout.ktext, kdata: this.layout.kdata, extern: this.layout.extern };
    this.genOpts = { delaySlots: this.delaySlots, bigEndian: this.bigEndian, compact: this.layout.name === 'compact', bare: this.bare };
    this.env = {
      pv: (e) => this.pv(e),
      compact: this.layout.name === 'compact',
      explicitAt: (span) => this.stmtExplicitAt.push(span),
      lenient: this.bare,
      warn: (message, span) => this.stmtWarnings.push({ message, span }),
    };
  }

  // ------------------------------------------------------------------------------------------
  // Driver

  /** Files in the order they were read (command line order, includes where included). */
  fileOrder(): string[] {
    return this.reader?.files ?? this.files;
  }

  run(sources: SourceInput[]): AsmProgram {
    // Lines are assembled as the reader produces them (pass 1 streams; tokens die young).
    let lastUnit = -1;
    const reader = new SourceReader(this.diags, {
      readFile: this.opts.readFile ?? ((p) => readFileSync(p, 'latin1')),
      sink: (line) => {
        if (line.unit !== lastUnit) this.startUnit(line.unit);
        lastUnit = line.unit;
        this.statement(line.toks, line.origin);
      },
    });
    this.reader = reader;
    this.files = sources.map((s) => s.path);
    sources.forEach((s, u) => {
      this.locals.push(new Map());
      this.globlDecls.push(new Map());
      reader.addUnit(s, u);
    });
    if (reader.truncated) throw new AsmError('assembly stopped: the program is too large after macro and .rept expansion');
    this.pending = [];
    this.resolveGlobals();
    this.allocateExterns();
    const entry = this.startup();
    this.checkOverlaps();
    this.pass2();
    this.reportUndefined();
    this.warnAt();
    return this.output(entry);
  }

  /** Each command-line file starts in .text with the default settings. */
  private startUnit(unit: number): void {
    this.unit = unit;
    this.seg = 'text';
    this.autoAlign = true;
    this.setAt = true;
    this.pending = [];
  }

  private statement(toks: Token[], origin: Stmt['origin']): void {
    let stmt: Stmt;
    try {
      stmt = parseStatement(toks, origin);
    } catch (e) {
      if (!(e instanceof AsmError)) throw e;
      this.diags.fromError(e);
      return;
    }
    try {
      for (const l of stmt.labels) this.defineLabel(l.name, l.tok);
      if (stmt.assign) this.defineConst(stmt.assign.name, stmt.assign.tok, stmt.assign.e);
      if (!stmt.op) return;
      if (stmt.op.name.startsWith('.')) this.directive(stmt);
      else this.instruction(stmt);
    } catch (e) {
      if (!(e instanceof AsmError)) throw e;
      this.diags.fromError(e);
    }
    if (stmt.op) this.pending = [];
  }

  // ------------------------------------------------------------------------------------------
  // Symbols

  private defineLabel(name: string, tok: Token): void {
    const prev = this.locals[this.unit].get(name);
    if (prev) {
      throw new AsmError(`'${name}' is already defined`, spanOf(tok), prev.span ? [{ message: 'the first definition is here', span: prev.span }] : []);
    }
    const sym: Sym = { name, unit: this.unit, kind: 'label', value: this.pc[this.seg], seg: this.seg, span: spanOf(tok) };
    this.locals[this.unit].set(name, sym);
    this.pending.push(sym);
  }

  private defineConst(name: string, tok: Token, e: Expr): void {
    const prev = this.locals[this.unit].get(name);
    if (prev && prev.kind === 'label') {
      throw new AsmError(`'${name}' is already defined as a label`, spanOf(tok), prev.span ? [{ message: 'the label is here', span: prev.span }] : []);
    }
    // Constants may be redefined (as with .set in GNU as); later uses see the new value.
    const v = evaluate(e, (n) => this.resolve1(n));
    const sym: Sym = { name, unit: this.unit, kind: 'const', value: 0, span: spanOf(tok), expr: e };
    if (v !== null) {
      sym.value = toWord(v, e);
      sym.known = true;
    }
    this.locals[this.unit].set(name, sym);
  }

  /** Pass 1: only constants defined earlier are known. */
  private resolve1(name: string): bigint | null {
    const s = this.locals[this.unit].get(name);
    if (!s || s.kind !== 'const') return null;
    if (s.known) return BigInt(s.value);
    return null;
  }

  private pv(e: Expr): PV {
    const v = evaluate(e, (n) => this.resolve1(n));
    if (v !== null) return { known: true, v: toWord(v, e), e };
    return { known: false, half: isHalfword(e), e };
  }

  private lookup(name: string, unit: number): Sym | undefined {
    const s = this.locals[unit]?.get(name) ?? this.globals.get(name);
    if (s) return s;
    // SPIM shares every label between files; accept a unique definition elsewhere, with a warning.
    const found: Sym[] = [];
    for (const m of this.locals) {
      const x = m.get(name);
      if (x) found.push(x);
    }
    if (found.length === 1) {
      if (!this.crossUnitWarned.has(name)) {
        this.crossUnitWarned.add(name);
        this.diags.warning(`'${name}' is used in ${this.files[unit]} but defined in ${this.files[found[0].unit]} without .globl (SPIM accepts this; MARS does not)`,
          found[0].span, []);
      }
      return found[0];
    }
    return undefined;
  }

  /** Pass 2 resolver: every symbol must be defined. */
  private resolve2(name: string, tok: Token, unit: number): bigint {
    const s = this.lookup(name, unit);
    if (!s) {
      this.sawUndefined = true;
      const uses = this.undefinedUses.get(name) ?? [];
      const last = uses[uses.length - 1];
      // One statement may evaluate a label several times (lui + ori): count the place once.
      if (uses.length < 1000 && !(last && last.span.origin === tok.origin && last.span.col === tok.col)) uses.push({ span: spanOf(tok), unit });
      this.undefinedUses.set(name, uses);
      return 0n;
    }
    if (s.kind === 'label') return BigInt(s.value >>> 0);
    if (s.known) return BigInt(s.value);
    if (s.resolving) throw new AsmError(`the definition of '${name}' refers to itself`, s.span);
    s.resolving = true;
    try {
      const v = evaluate(s.expr!, (n, t) => this.resolve2(n, t, s.unit))!;
      s.value = toWord(v, s.expr!);
      s.known = true;
      return BigInt(s.value);
    } finally {
      s.resolving = false;
    }
  }

  private value2(e: Expr, unit: number): number {
    return toWord(evaluate(e, (n, t) => this.resolve2(n, t, unit))!, e);
  }

  private resolveGlobals(): void {
    this.globlDecls.forEach((decls, u) => {
      for (const [name, span] of decls) {
        const s = this.locals[u].get(name);
        if (!s) continue; // a declaration of a symbol defined in another file
        const prev = this.globals.get(name);
        if (prev && prev !== s) {
          this.diags.error(`global symbol '${name}' is defined in both ${this.files[prev.unit]} and ${this.files[u]}`, s.span ?? span,
            prev.span ? [{ message: 'the other definition is here', span: prev.span }] : []);
          continue;
        }
        s.global = true;
        this.globals.set(name, s);
      }
    });
  }

  private allocateExterns(): void {
    for (const [name, ext] of this.externs) {
      if (this.globals.has(name) || this.locals.some((m) => m.has(name))) continue;
      const seg: SegKind = this.layout.name === 'bare' ? 'data' : 'extern';
      this.seg = seg;
      this.alignPc(2, false);
      const sym: Sym = { name, unit: ext.unit, kind: 'label', value: this.pc[seg], seg, span: ext.span, global: true };
      this.globals.set(name, sym);
      this.reserve(ext.size, ext.span);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Output space

  private reserve(n: number, where: Span | Token | undefined): { chunk: Chunk; off: number } {
    const span = where && 'kind' in where ? spanOf(where) : where;
    const seg = this.seg;
    const addr = this.pc[seg];
    if (addr + n > 2 ** 32) throw new AsmError(`the ${seg} segment runs past the end of the 32-bit address space`, span);
    if (this.imageBytes + n > this.maxImage) {
      if (!this.imageFull) {
        this.imageFull = true;
        throw new AsmError(`program too large: more than ${this.maxImage / 1048576} MiB of code and data`, span);
      }
      throw new AsmError('program too large', span);
    }
    const r = this.images[seg].place(addr, n, span);
    this.imageBytes += n;
    this.pc[seg] = addr + n;
    return r;
  }

  private writeBytes(bytes: Uint8Array, span: Span | undefined): void {
    const { chunk, off } = this.reserve(bytes.length, span);
    chunk.buf.set(bytes, off);
  }

  private writeInt(chunk: Chunk, off: number, size: number, v: number): void {
    for (let i = 0; i < size; i++) {
      const shift = this.bigEndian ? (size - 1 - i) * 8 : i * 8;
      chunk.buf[off + i] = (v >>> shift) & 0xff;
    }
  }

  /** Aligns the location counter to 2^n, moving labels that were just defined with it. */
  private alignPc(n: number, moveLabels = true): void {
    const a = 2 ** n;
    const pc = this.pc[this.seg];
    const aligned = Math.ceil(pc / a) * a;
    if (aligned === pc) return;
    if (moveLabels) for (const l of this.pending) if (l.seg === this.seg && l.value === pc) l.value = aligned;
    this.reserve(aligned - pc, undefined);
  }

  // ------------------------------------------------------------------------------------------
  // Instructions

  private instruction(stmt: Stmt): void {
    const op = stmt.op!;
    if (!CODE_SEGS.has(this.seg)) {
      throw new AsmError(`instruction '${op.tok.text}' in the ${this.seg} segment (put .text before code)`, spanOf(op.tok));
    }
    if (this.pc[this.seg] % 4) this.alignPc(2);
    this.stmtExplicitAt = [];
    this.stmtWarnings = [];
    const g = new Gen(this.table, this.genOpts, op.tok);
    this.expand(g, stmt);
    for (const w of this.stmtWarnings) this.diags.warning(w.message, w.span);
    if (this.setAt) this.explicitAt.push(...this.stmtExplicitAt);
    if (g.usesAt) {
      if (!this.setAt) this.diags.warning(`'${op.tok.text}' is expanded with $at, but .set noat is in effect`, spanOf(op.tok));
      else this.atUser ??= spanOf(op.tok, stmt.toks[stmt.toks.length - 1]);
    }
    if (this.seg === 'text' && this.firstText === null) this.firstText = this.pc.text;
    const info: StmtInfo = { origin: stmt.origin, op: op.tok, last: stmt.toks[stmt.toks.length - 1], text: statementText(stmt) };
    g.out.forEach((emit, k) => {
      const addr = this.pc[this.seg];
      const { chunk, off } = this.reserve(4, op.tok);
      this.place({ addr, chunk, off, emit, stmt: info, unit: this.unit, first: k === 0 });
    });
  }

  /** Records an instruction; encodes it now unless a field waits for a symbol. */
  private place(it: InsnItem): void {
    this.records.push({ addr: it.addr, chunk: it.chunk, off: it.off, stmt: it.stmt, first: it.first });
    const f = it.emit.fields;
    for (const fd of it.emit.def.fields) {
      const v = f[fd.name];
      if (v !== undefined && typeof v === 'object' && 'e' in v) {
        this.items.push(it);
        return;
      }
    }
    try {
      this.writeInt(it.chunk, it.off, 4, this.encode(it));
    } catch (e) {
      if (!(e instanceof AsmError)) throw e;
      this.diags.fromError(e);
    }
  }

  /** Tries the forms of a mnemonic in order; emits the first that matches. */
  private expand(g: Gen, stmt: Stmt): void {
    const op = stmt.op!;
    const name = op.name;
    const target = this.bare ? name : RENAMES[name] ?? name;
    const tforms = this.table.forms(target);
    const memForms = this.bare ? [] : tforms.filter((f) => f.pats.some((p) => p.kind === 'mem'));
    const pseudos: PseudoRule[] = (this.bare ? BARE_PSEUDO[name] : PSEUDO[name]) ?? [];
    if (!tforms.length && !pseudos.length) throw this.unknownMnemonic(stmt);

    const ops = stmt.operands;
    const fails: { m: Mismatch; syntax: string }[] = [];
    const attempt = (syntax: string, f: () => void): boolean => {
      const mark = g.out.length;
      const at = g.usesAt;
      const ea = this.stmtExplicitAt.length;
      const wa = this.stmtWarnings.length;
      try {
        f();
        return true;
      } catch (e) {
        if (!(e instanceof Mismatch)) throw e;
        g.out.length = mark;
        g.usesAt = at;
        this.stmtExplicitAt.length = ea;
        this.stmtWarnings.length = wa;
        fails.push({ m: e, syntax });
        return false;
      }
    };
    const tryAll = (list: Operand[], dup: boolean): boolean => {
      for (const f of tforms) {
        if (dup && !dupOk(f.pats[0]?.kind, f.pats[1]?.kind)) continue;
        if (attempt(f.syntax, () => g.out.push({ def: f.def, fields: matchTableForm(f, list, this.env) }))) return true;
      }
      for (const f of memForms) {
        if (dup) continue;
        if (attempt(f.syntax, () => expandMemRule(f, list, this.env, g))) return true;
      }
      for (const r of pseudos) {
        if (dup && !(r.sig[0] === r.sig[1] && (r.sig[0] === 'r' || r.sig[0] === 'f'))) continue;
        if (attempt(r.syntax, () => {
          const args = matchSig(r.sig, list, this.env);
          try {
            r.expand(g, args);
          } catch (e) {
            if (e instanceof Mismatch) e.semantic = true;
            throw e;
          }
        })) return true;
      }
      return false;
    };
    if (tryAll(ops, false)) return;
    if (ops.length >= 1 && ops[0].k === 'reg' && tryAll([ops[0], ...ops], true)) return;
    throw this.mismatchError(stmt, fails, tforms, pseudos);
  }

  private mismatchError(stmt: Stmt, fails: { m: Mismatch; syntax: string }[], tforms: TableForm[], pseudos: PseudoRule[]): AsmError {
    const op = stmt.op!;
    // Aliases are covered by the pseudo-instruction of the same name when there is one.
    const shownT = pseudos.length ? tforms.filter((f) => f.type === 'real') : tforms;
    const forms = [...new Set([...shownT.map((f) => f.syntax), ...pseudos.map((p) => p.syntax).filter(Boolean)])];
    const formNote = { message: `'${op.tok.text}' is written as: ${forms.join('  |  ')}` };
    const real = fails.filter((f) => f.m.at >= 0);
    const lastTok = stmt.toks[stmt.toks.length - 1];
    const all = spanOf(op.tok, lastTok);
    if (!real.length) {
      const n = stmt.operands.length;
      const bareNote = this.bare && (PSEUDO[op.name] || RENAMES[op.name]) ? ' (pseudo-instruction forms are disabled by --bare)' : '';
      return new AsmError(`wrong number of operands for '${op.tok.text}': found ${n}${bareNote}`, all, [formNote]);
    }
    // The form that got furthest explains best; the first of those wins.
    let best = real[0];
    for (const f of real) if (f.m.at > best.m.at || (f.m.at === best.m.at && f.m.semantic && !best.m.semantic)) best = f;
    const span = best.m.span ?? stmtOperandSpan(stmt, best.m.at) ?? all;
    const bareNote = this.bare && (PSEUDO[op.name] || this.table.forms(op.name).some((f) => f.pats.some((p) => p.kind === 'mem')))
      ? ' (pseudo-instruction forms are disabled by --bare)' : '';
    return new AsmError(`${best.m.message}${bareNote}`, span, forms.length > 1 || !tforms.length ? [formNote] : [{ message: `'${op.tok.text}' is written as: ${forms[0]}` }]);
  }

  private unknownMnemonic(stmt: Stmt): AsmError {
    const op = stmt.op!;
    const cands = [...this.table.names(), ...pseudoNames(), ...(this.reader?.macroNames() ?? [])];
    const near = nearest(op.name, cands);
    const notes: { message: string; span?: Span }[] = [];
    const next = stmt.operands[0];
    if (next && next.k === 'expr' && next.e.k === 'sym' && (this.table.forms(next.e.name.toLowerCase()).length || PSEUDO[next.e.name.toLowerCase()])) {
      notes.push({ message: `if '${op.tok.text}' is a label, write '${op.tok.text}:'` });
    }
    const asLabel = this.locals[this.unit]?.get(stmt.op!.tok.text);
    if (asLabel && asLabel.kind === 'label' && !notes.length) notes.push({ message: `'${op.tok.text}' is a label; to define a label write '${op.tok.text}:'` });
    const hint = near && !notes.length ? `; did you mean '${near}'?` : '';
    return new AsmError(`unknown instruction '${op.tok.text}'${hint}`, spanOf(op.tok), notes);
  }

  // ------------------------------------------------------------------------------------------
  // Directives

  private directive(stmt: Stmt): void {
    const op = stmt.op!;
    const ops = stmt.operands;
    const span = spanOf(op.tok);
    const constOp = (o: Operand | undefined, what: string): number => {
      if (!o || o.k !== 'expr') throw new AsmError(`${op.tok.text} needs ${what}`, o?.span ?? span);
      const pv = this.pv(o.e);
      if (!pv.known) throw new AsmError(`${what} of ${op.tok.text} must be a constant known at this point`, o.span);
      return pv.v;
    };
    const noOperands = () => {
      if (ops.length) throw new AsmError(`${op.tok.text} takes no operands`, ops[0].span);
    };
    switch (op.name) {
      case '.text': case '.ktext': case '.data': case '.kdata': case '.rdata': case '.sdata': case '.bss': {
        const seg: SegKind = op.name === '.text' ? 'text' : op.name === '.ktext' ? 'ktext' : op.name === '.kdata' ? 'kdata' : 'data';
        this.seg = seg;
        this.autoAlign = true;
        if (ops.length > 1) throw new AsmError(`${op.tok.text} takes at most one operand (an address)`, ops[1].span);
        if (ops.length === 1) {
          const a = constOp(ops[0], 'an address') >>> 0;
          if (CODE_SEGS.has(seg) && a % 4) throw new AsmError(`code address ${hex(a)} is not a multiple of 4`, ops[0].span);
          this.pc[seg] = a;
        }
        return;
      }
      case '.globl': case '.global':
        if (!ops.length) throw new AsmError(`${op.tok.text} needs a symbol name`, span);
        for (const o of ops) {
          if (o.k !== 'expr' || o.e.k !== 'sym') throw new AsmError(`${op.tok.text} expects symbol names, found ${describeOperand(o)}`, o.span);
          this.globlDecls[this.unit].set(o.e.name, o.span);
        }
        return;
      case '.extern': {
        const o = ops[0];
        if (!o || o.k !== 'expr' || o.e.k !== 'sym') throw new AsmError('.extern expects a symbol name and a size: .extern name 4', o?.span ?? span);
        const size = ops.length > 1 ? constOp(ops[1], 'a size') : 4;
        if (size < 0 || size > 1 << 24) throw new AsmError(`.extern size ${size} is out of range`, ops[1].span);
        this.externs.set(o.e.name, { size, span: o.span, unit: this.unit });
        this.globlDecls[this.unit].set(o.e.name, o.span);
        return;
      }
      case '.lcomm': case '.comm': {
        const o = ops[0];
        if (!o || o.k !== 'expr' || o.e.k !== 'sym') throw new AsmError(`${op.tok.text} expects a symbol name and a size`, o?.span ?? span);
        const size = constOp(ops[1], 'a size');
        const saved = this.seg;
        this.seg = 'data';
        this.alignPc(2, false);
        this.defineLabel(o.e.name, o.e.tok);
        if (op.name === '.comm') this.globlDecls[this.unit].set(o.e.name, o.span);
        this.space(size, o.span);
        this.seg = saved;
        return;
      }
      case '.label': {
        const o = ops[0];
        if (!o || o.k !== 'expr' || o.e.k !== 'sym') throw new AsmError('.label expects a name', o?.span ?? span);
        this.defineLabel(o.e.name, o.e.tok);
        return;
      }
      case '.align': {
        if (ops.length !== 1) throw new AsmError('.align expects one operand: the power of two to align to (.align 2 = 4 bytes)', span);
        const n = constOp(ops[0], 'an alignment');
        if (n < 0 || n > 16) throw new AsmError(`alignment ${n} is out of range (0..16; .align n aligns to 2^n bytes)`, ops[0].span);
        if (n === 0) {
          this.autoAlign = false; // SPIM: .align 0 turns off automatic alignment until the next segment directive
          return;
        }
        this.alignPc(n);
        return;
      }
      case '.space': case '.skip': {
        if (ops.length < 1 || ops.length > 2) throw new AsmError(`${op.tok.text} expects a size in bytes`, span);
        const n = constOp(ops[0], 'a size');
        if (n < 0) throw new AsmError(`${op.tok.text} size ${n} is negative`, ops[0].span);
        if (n > this.maxImage) throw new AsmError(`${op.tok.text} ${n} is too large (limit ${this.maxImage} bytes)`, ops[0].span);
        const fill = ops.length === 2 ? constOp(ops[1], 'a fill byte') & 0xff : 0;
        this.space(n, ops[0].span, fill);
        return;
      }
      case '.word': case '.long': case '.int': case '.4byte': return this.intData(stmt, 4);
      case '.half': case '.short': case '.2byte': return this.intData(stmt, 2);
      case '.byte': return this.intData(stmt, 1);
      case '.float': case '.single': return this.floatData(stmt, true);
      case '.double': return this.floatData(stmt, false);
      case '.ascii': case '.asciiz': case '.string': return this.stringData(stmt, op.name !== '.ascii');
      case '.set': return this.setDirective(stmt);
      case '.equ': {
        const [n, v] = ops;
        if (!n || n.k !== 'expr' || n.e.k !== 'sym' || !v || v.k !== 'expr') throw new AsmError('.equ expects a name and a value: .equ SIZE, 40', n?.span ?? span);
        this.defineConst(n.e.name, n.e.tok, v.e);
        return;
      }
      case '.err':
        throw new AsmError('.err directive', span);
      case '.struct': case '.dword':
        this.diags.warning(`${op.tok.text} is not supported and is ignored`, span);
        return;
      default:
        if (IGNORED_DIRECTIVES.has(op.name) || op.name.startsWith('.cfi_')) {
          void noOperands;
          return;
        }
        throw new AsmError(`unknown directive '${op.tok.text}'${(() => { const n = nearest(op.name, KNOWN_DIRECTIVES); return n ? `; did you mean '${n}'?` : ''; })()}`, span);
    }
  }

  private setDirective(stmt: Stmt): void {
    const ops = stmt.operands;
    const first = ops[0];
    if (!first || first.k !== 'expr' || first.e.k !== 'sym') throw new AsmError('.set expects an option (at, noat, reorder, noreorder, ...) or a name and a value', first?.span ?? spanOf(stmt.op!.tok));
    const name = first.e.name;
    if (ops.length >= 2) {
      const v = ops[1];
      if (v.k !== 'expr') throw new AsmError('.set NAME, VALUE expects a value', v.span);
      this.defineConst(name, first.e.tok, v.e);
      return;
    }
    switch (name.toLowerCase()) {
      case 'at': this.setAt = true; return;
      case 'noat': this.setAt = false; return;
      case 'reorder': case 'noreorder': case 'macro': case 'nomacro': case 'volatile': case 'novolatile': case 'move': case 'nomove':
      case 'bopt': case 'nobopt': case 'push': case 'pop': case 'mips0': case 'mips1': case 'mips2': case 'mips32': case 'mips32r2':
      case 'hardfloat': case 'softfloat': case 'gp=default': case 'fp=32': case 'fp=64': case 'fp=xx': case 'nomips16': case 'mips16':
      case 'nomicromips': case 'micromips': case 'oddspreg': case 'nooddspreg':
        return;
      default:
        this.diags.warning(`unknown .set option '${name}' is ignored`, first.span);
    }
  }

  private space(n: number, span: Span | undefined, fill = 0): void {
    const { chunk, off } = this.reserve(n, span);
    if (fill) chunk.buf.fill(fill, off, off + n);
  }

  private dataAlign(size: number): void {
    if (this.autoAlign && size > 1) this.alignPc(Math.log2(size));
  }

  /** Expands `value:count` repeats into a flat list. */
  private flatten(ops: Operand[]): { op: Operand; count: number }[] {
    return ops.map((o) => {
      if (o.k !== 'repeat') return { op: o, count: 1 };
      const pv = this.pv(o.count);
      if (!pv.known) throw new AsmError('the repeat count must be a constant known at this point', exprSpan(o.count));
      if (pv.v < 0 || pv.v > this.maxImage) throw new AsmError(`repeat count ${pv.v} is out of range`, exprSpan(o.count));
      return { op: o.item, count: pv.v };
    });
  }

  private intData(stmt: Stmt, size: 1 | 2 | 4): void {
    const op = stmt.op!;
    if (!stmt.operands.length) throw new AsmError(`${op.tok.text} expects one or more values`, spanOf(op.tok));
    if (CODE_SEGS.has(this.seg) && size !== 4) throw new AsmError(`${op.tok.text} data cannot go in the ${this.seg} segment (put .data before it)`, spanOf(op.tok));
    this.dataAlign(size);
    for (const { op: o, count } of this.flatten(stmt.operands)) {
      if (o.k !== 'expr') throw new AsmError(`${op.tok.text} expects integer values, found ${describeOperand(o)}`, o.span);
      const pv = this.pv(o.e);
      if (pv.known && size < 4) this.checkTruncation(pv.v, size as 1 | 2, o.span);
      for (let i = 0; i < count; i++) {
        const addr = this.pc[this.seg];
        const { chunk, off } = this.reserve(size, o.span);
        if (pv.known) this.writeInt(chunk, off, size, pv.v);
        else this.fixups.push({ addr, chunk, off, size, e: o.e, unit: this.unit });
      }
    }
  }

  private checkTruncation(v: number, size: 1 | 2, span: Span): void {
    const lo = size === 1 ? -128 : -32768, hi = size === 1 ? 255 : 65535;
    if (v < lo || v > hi) this.diags.warning(`value ${v} does not fit in ${size === 1 ? 'a byte' : 'a halfword'} and is truncated to ${size === 1 ? v & 0xff : v & 0xffff}`, span);
  }

  private floatData(stmt: Stmt, single: boolean): void {
    const op = stmt.op!;
    if (!stmt.operands.length) throw new AsmError(`${op.tok.text} expects one or more numbers`, spanOf(op.tok));
    if (CODE_SEGS.has(this.seg)) throw new AsmError(`${op.tok.text} data cannot go in the ${this.seg} segment (put .data before it)`, spanOf(op.tok));
    const size = single ? 4 : 8;
    this.dataAlign(size);
    for (const { op: o, count } of this.flatten(stmt.operands)) {
      let v: number;
      if (o.k === 'float') v = o.v;
      else if (o.k === 'expr') {
        const pv = this.pv(o.e);
        if (!pv.known) throw new AsmError(`${op.tok.text} needs a constant number`, o.span);
        v = pv.v;
      } else throw new AsmError(`${op.tok.text} expects numbers, found ${describeOperand(o)}`, o.span);
      if (single && Number.isFinite(v) && !Number.isFinite(Math.fround(v))) {
        this.diags.warning(`${v} is too large for single precision and becomes infinity`, o.span);
      }
      const bytes = new Uint8Array(size);
      const dv = new DataView(bytes.buffer);
      if (single) dv.setFloat32(0, v, !this.bigEndian);
      else dv.setFloat64(0, v, !this.bigEndian);
      for (let i = 0; i < count; i++) this.writeBytes(bytes, o.span);
    }
  }

  private stringData(stmt: Stmt, zero: boolean): void {
    const op = stmt.op!;
    if (!stmt.operands.length) throw new AsmError(`${op.tok.text} expects a string in double quotes`, spanOf(op.tok));
    if (CODE_SEGS.has(this.seg)) throw new AsmError(`strings cannot go in the ${this.seg} segment (put .data before ${op.tok.text})`, spanOf(op.tok));
    for (const { op: o, count } of this.flatten(stmt.operands)) {
      if (o.k !== 'str') throw new AsmError(`${op.tok.text} expects strings in double quotes, found ${describeOperand(o)}`, o.span);
      const bytes = zero ? Uint8Array.from([...o.bytes, 0]) : o.bytes;
      for (let i = 0; i < count; i++) this.writeBytes(bytes, o.span);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Start-up code, layout checks

  private findSym(name: string): Sym | undefined {
    const g = this.globals.get(name);
    if (g) return g;
    const found = this.locals.map((m) => m.get(name)).filter((s): s is Sym => !!s && s.kind === 'label');
    return found[0];
  }

  /** Appends the exit stub (and SPIM's start-up stub if needed) after the code; returns the entry. */
  private startup(): number {
    const start = this.opts.start ?? 'spim';
    const userStart = this.findSym('__start');
    const main = this.findSym('main');
    const first = this.firstText ?? this.layout.text;
    this.seg = 'text';
    this.unit = -1;
    if (this.pc.text % 4) this.alignPc(2, false);
    const emit = (name: string, fields: Record<string, FV>) => {
      const def = this.table.insn(name)!;
      const addr = this.pc.text;
      const { chunk, off } = this.reserve(4, undefined);
      this.place({ addr, chunk, off, emit: { def, fields }, stmt: null, unit: -1, first: false });
    };
    // A program that runs off the end of its code exits cleanly (MARS: "dropped off bottom").
    emit('addiu', { rt: 2, rs: 0, imm: 10 });
    emit('syscall', { code: 0 });
    if (this.bare) return userStart ? userStart.value : first;
    if (start === 'main') {
      if (!main) throw new AsmError("--start main: the program defines no label 'main'");
      return main.value;
    }
    if (start === 'mars') return first;
    if (userStart) return userStart.value;
    if (!main) return first;
    const stub = this.pc.text;
    emit('jal', { target: main.value });
    emit('sll', { rd: 0, rt: 0, sa: 0 });
    emit('addiu', { rt: 2, rs: 0, imm: 10 });
    emit('syscall', { code: 0 });
    this.globals.set('__start', { name: '__start', unit: -1, kind: 'label', value: stub, seg: 'text', global: true });
    return stub;
  }

  private checkOverlaps(): void {
    const chunks = Object.values(this.images).flatMap((im) => im.chunks).filter((c) => c.len > 0).sort((a, b) => a.start - b.start);
    for (let i = 1; i < chunks.length; i++) {
      const a = chunks[i - 1], b = chunks[i];
      if (a.end > b.start) {
        this.diags.error(`${b.seg} at ${hex(b.start)} overlaps ${a.seg} at ${hex(a.start)}..${hex(a.end - 1)}`, b.span,
          a.span ? [{ message: 'the other one starts here', span: a.span }] : []);
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Pass 2

  private pass2(): void {
    for (const it of this.items) {
      try {
        const word = this.encode(it);
        this.writeInt(it.chunk, it.off, 4, word);
      } catch (e) {
        if (!(e instanceof AsmError)) throw e;
        this.diags.fromError(e);
      }
    }
    for (const f of this.fixups) {
      try {
        this.sawUndefined = false;
        const v = this.value2(f.e, f.unit);
        if (this.sawUndefined) continue;
        if (f.size < 4) this.checkTruncation(v, f.size as 1 | 2, exprSpan(f.e));
        this.writeInt(f.chunk, f.off, f.size, v);
      } catch (e) {
        if (!(e instanceof AsmError)) throw e;
        this.diags.fromError(e);
      }
    }
  }

  private encode(it: InsnItem): number {
    const def = it.emit.def;
    const values: Record<string, number> = {};
    const stmtSpan = it.stmt ? spanOf(it.stmt.op, it.stmt.last) : undefined;
    for (const f of def.fields) values[f.name] = this.fieldValue(f, it.emit.fields[f.name], it, stmtSpan);
    try {
      return encodeFields(def, values);
    } catch (e) {
      if (e instanceof EncodeError) throw new AsmError(e.message, stmtSpan);
      throw e;
    }
  }

  private fieldValue(f: Field, fv: FV | undefined, it: InsnItem, stmtSpan: Span | undefined): number {
    if (fv === undefined) return 0;
    if (isRel(fv)) return fv.rel;
    const span = isLazy(fv) ? exprSpan(fv.e) : stmtSpan;
    this.sawUndefined = false;
    const raw = isLazy(fv) ? fv.fn(this.value2(fv.e, it.unit)) : fv;
    if (this.sawUndefined) return 0;
    switch (f.name) {
      case 'broff': {
        const target = raw >>> 0;
        const diff = target - ((it.addr + 4) >>> 0);
        if (diff % 4) throw new AsmError(`branch target ${hex(target)} is not a multiple of 4`, span);
        const words = diff / 4;
        if (words < -32768 || words > 32767) {
          throw new AsmError(`branch target ${hex(target)} is too far away (${words} instructions; a branch reaches -32768..32767); use j`, span);
        }
        return words & 0xffff;
      }
      case 'target': {
        const target = raw >>> 0;
        if (target % 4) throw new AsmError(`jump target ${hex(target)} is not a multiple of 4`, span);
        if (((it.addr + 4) & 0xf0000000) >>> 0 !== (target & 0xf0000000) >>> 0) {
          // SPIM reports this and goes on; the jump lands in its own 256 MB region.
          const lands = ((((it.addr + 4) & 0xf0000000) | (target & 0x0ffffffc)) >>> 0);
          this.diags.warning(`jump target ${hex(target)} is outside the 256 MB region of this jump at ${hex(it.addr)}; it would go to ${hex(lands)} (use jr)`, span);
        }
        return (target >>> 2) & 0x3ffffff;
      }
      case 'imm': case 'off':
        if (raw < -32768 || raw > 32767) throw new AsmError(`value ${raw} does not fit the signed 16-bit ${f.name === 'off' ? 'offset' : 'immediate'} field (-32768..32767)${this.layout.name === 'compact' ? ' (addresses must stay below 0x8000 in the compact layout)' : ''}`, span);
        return raw & 0xffff;
      case 'uimm':
        // A %lo() part may be negative: its 16 bits are what counts.
        if (raw < -32768 || raw > 65535) throw new AsmError(`value ${raw} does not fit the unsigned 16-bit immediate field (0..65535)`, span);
        return raw & 0xffff;
      default: {
        const max = f.width === 32 ? 0xffffffff : 2 ** f.width - 1;
        if (raw < 0 || raw > max) throw new AsmError(`value ${raw} is out of range for the ${f.name} field (0..${max})`, span);
        return raw;
      }
    }
  }

  private reportUndefined(): void {
    const defined = new Set<string>([...this.globals.keys(), ...this.locals.flatMap((m) => [...m.keys()])]);
    for (const [name, uses] of this.undefinedUses) {
      const near = nearest(name, defined);
      const notes: { message: string; span?: Span }[] = uses.slice(1, 20).map((u) => ({ message: `'${name}' is also used here`, span: u.span }));
      if (uses.length > 20) notes.push({ message: `... and ${uses.length - 20} more uses` });
      const declaredGlobal = this.globlDecls.some((d) => d.has(name));
      if (declaredGlobal) notes.push({ message: `'${name}' is declared .globl but no file defines it` });
      this.diags.error(`undefined label '${name}'${near ? `; did you mean '${near}'?` : ''}${uses.length > 1 ? ` (used ${uses.length} times)` : ''}`, uses[0].span, notes);
    }
  }

  private warnAt(): void {
    if (!this.atUser || !this.explicitAt.length) return;
    this.explicitAt.slice(0, 10).forEach((span) => {
      this.diags.warning('$at ($1) is used here, but the assembler also uses $at for pseudo-instructions', span,
        [{ message: 'for example here', span: this.atUser! }, { message: 'put `.set noat` before code that uses $at on purpose (and `.set at` after it)' }]);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Result

  private output(entry: number): AsmProgram {
    const segments: AsmSegment[] = [];
    for (const im of Object.values(this.images)) {
      for (const c of im.chunks) if (c.len > 0) segments.push({ kind: c.seg, addr: c.start, bytes: c.bytes().slice() });
    }
    segments.sort((a, b) => a.addr - b.addr);
    // Merge adjacent chunks of one segment.
    const merged: AsmSegment[] = [];
    for (const s of segments) {
      const last = merged[merged.length - 1];
      if (last && last.kind === s.kind && last.addr + last.bytes.length === s.addr) {
        const b = new Uint8Array(last.bytes.length + s.bytes.length);
        b.set(last.bytes);
        b.set(s.bytes, last.bytes.length);
        last.bytes = b;
      } else merged.push(s);
    }
    const symbols: AsmSymbol[] = [];
    this.locals.forEach((m, u) => {
      for (const s of m.values()) {
        symbols.push({ name: s.name, value: s.kind === 'label' ? s.value >>> 0 : s.value, global: !!s.global, kind: s.kind, seg: s.seg, file: this.files[u] });
      }
    });
    for (const s of this.globals.values()) {
      if (s.unit === -1 || !this.locals[s.unit]?.has(s.name)) symbols.push({ name: s.name, value: s.value >>> 0, global: true, kind: 'label', seg: s.seg });
    }
    const lines: LineInfo[] = [];
    const listing: ListingEntry[] = [];
    for (const it of this.records) {
      const word = readWord(it.chunk, it.off, this.bigEndian);
      if (!it.stmt) {
        listing.push({ addr: it.addr, word });
        continue;
      }
      const o = it.stmt.origin;
      let top = o;
      while (top.expandedFrom) top = top.expandedFrom.at;
      const text = it.stmt.text;
      const info: LineInfo = { addr: it.addr, file: o.line.file, line: o.line.lineNo, text };
      if (o.expandedFrom) info.macro = { name: o.expandedFrom.macro, file: top.line.file, line: top.line.lineNo };
      lines.push(info);
      listing.push({ addr: it.addr, word, source: it.first ? { file: o.line.file, line: o.line.lineNo, text: o.line.text.replace(/\s+$/, '') } : undefined });
    }
    lines.sort((a, b) => a.addr - b.addr);
    listing.sort((a, b) => a.addr - b.addr);
    const dataSegs = merged.filter((s) => s.kind === 'data' || s.kind === 'extern');
    const dataEnd = Math.max(this.layout.data, ...dataSegs.map((s) => s.addr + s.bytes.length), this.pc.data);
    return {
      bigEndian: this.bigEndian,
      delaySlots: this.delaySlots,
      layout: this.layout,
      entry: entry >>> 0,
      segments: merged,
      symbols,
      lines,
      listing,
      dataEnd,
      files: this.files,
    };
  }
}

/** The span of operand i (for mismatches raised inside an expansion). */
function stmtOperandSpan(stmt: Stmt, i: number): Span | undefined {
  const o = stmt.operands[Math.floor(i)];
  return o?.span;
}

function dupOk(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && a === b && (a === 'gpr' || a === 'fpr');
}

function readWord(c: Chunk, off: number, big: boolean): number {
  const b = c.buf;
  return big
    ? ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0
    : ((b[off + 3] << 24) | (b[off + 2] << 16) | (b[off + 1] << 8) | b[off]) >>> 0;
}

/** A statement's text without labels and comment, tokens joined as written. */
export function statementText(stmt: Stmt): string {
  const toks = stmt.toks;
  let i = stmt.labels.length * 2;
  let s = '';
  for (; i < toks.length; i++) s += (s && toks[i].space ? ' ' : '') + toks[i].text;
  return s;
}
