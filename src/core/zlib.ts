// node:zlib, loaded when first used: only compaction, reading a sealed segment and a gzip transport
// need it, and loading it (with the streams it brings) is about 6 ms of every command otherwise.
/* eslint-disable @typescript-eslint/no-require-imports */
export const zlib = () => require('node:zlib') as typeof import('node:zlib');
