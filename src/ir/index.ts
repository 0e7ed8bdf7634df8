// The translator's IR: op definitions, builder, printer, optimizer, register-cache analysis.
export * from './ir.js';
export { IrBuilder, helper } from './builder.js';
export { formatOp, formatOps, formatBlock, formatValue } from './printer.js';
export { optimize, propagate, cleanup, dce, type OptimizeOptions } from './opt.js';
export { globalUsage, cachedAmong, loopGlobals, type GlobalUsage } from './regcache.js';
