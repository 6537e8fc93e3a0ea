// node:crypto, loaded when first used: loading it (with the streams it brings) is about 5 ms of
// every command otherwise, and a warm command that reads a snapshot whose file status vouches for
// it (snapshotCheck.ts) hashes nothing.
/* eslint-disable @typescript-eslint/no-require-imports */
export const crypto = () => require('node:crypto') as typeof import('node:crypto');
