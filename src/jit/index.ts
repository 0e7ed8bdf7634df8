// The JS-generating translator: region codegen, block cache, chaining, invalidation.
export { Jit, Region, Entry, ExitSlot, DEFAULT_THRESHOLD, DEFAULT_CACHE_LIMIT, type JitOptions, type JitStats, type JitDebug, type JitGuest } from './jit.js';
export { generateRegion, type CodegenTarget, type RegionCode } from './codegen.js';
export { createMipsJit } from './mips.js';
