// Memory layouts: where segments go and where $gp, $sp and the heap start.

export type LayoutName = 'default' | 'compact' | 'bare';
export type SegKind = 'text' | 'data' | 'ktext' | 'kdata' | 'extern';

export interface Layout {
  name: LayoutName;
  text: number;
  data: number;
  ktext: number;
  kdata: number;
  extern: number;
  gp: number;
  sp: number;
  /** MARS's heap base (sbrk); SPIM's heap starts right after the static data. */
  heap: number;
  /** Start of the data segment as a whole (the $gp area below .data is mapped too). */
  dataBase: number;
  /** The data segment is mapped at least up to here (MARS: .extern, .data and heap area). */
  dataMin: number;
}

/** SPIM and MARS defaults. */
export const DEFAULT_LAYOUT: Layout = {
  name: 'default',
  text: 0x00400000,
  data: 0x10010000,
  ktext: 0x80000180,
  kdata: 0x90000000,
  extern: 0x10000000,
  gp: 0x10008000,
  sp: 0x7fffeffc,
  heap: 0x10040000,
  dataBase: 0x10000000,
  dataMin: 0x10040000,
};

/** SPIM's bare machine: user data starts at the bottom of the data segment. */
export const BARE_LAYOUT: Layout = { ...DEFAULT_LAYOUT, name: 'bare', data: 0x10000000 };

/** MARS's "Compact, Text at Address 0" configuration (all addresses fit in 16 bits). */
export const COMPACT_LAYOUT: Layout = {
  name: 'compact',
  text: 0x00000000,
  data: 0x00002000,
  ktext: 0x00004180,
  kdata: 0x00005000,
  extern: 0x00001000,
  gp: 0x00001800,
  sp: 0x00003ffc,
  heap: 0x00003000,
  dataBase: 0x00001000,
  dataMin: 0x00003000,
};

export function layoutByName(name: LayoutName): Layout {
  return name === 'compact' ? COMPACT_LAYOUT : name === 'bare' ? BARE_LAYOUT : DEFAULT_LAYOUT;
}
