// What the launcher (launch.ts) and a command that changes V8's flags (wasmTier.ts) agree on: V8
// accepts a code cache only under the flags it was made with, so a command that changed them
// leaves, under this global symbol, a function that sets them back before the cache is written.
export const CODE_CACHE_FLAGS = Symbol.for('mltrace.codeCacheFlags');
