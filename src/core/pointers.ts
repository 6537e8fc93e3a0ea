// Pointer names and types (DESIGN.md §2, docs/EVENTS.md "Names").
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PointerType } from './model';

const DATA_EXTENSIONS = new Set(['csv', 'pq', 'parquet', 'txt', 'md', 'rtf', 'tsv', 'xml', 'pdf']);
const MODEL_EXTENSIONS = new Set([
  'h5',
  'hdf5',
  'joblib',
  'pkl',
  'pickle',
  'ckpt',
  'mlmodel',
  'onnx',
  'pt',
  'safetensors',
]);

/** mltrace's rule: "data" in the name, then "model", then the extension. */
export function inferPointerType(name: string, declaredEndpoint = false): PointerType {
  if (declaredEndpoint) return 'ENDPOINT';
  const lower = name.toLowerCase();
  if (lower.includes('data')) return 'DATA';
  if (lower.includes('model')) return 'MODEL';
  const dot = lower.lastIndexOf('.');
  const ext = dot >= 0 ? lower.slice(dot + 1) : '';
  if (DATA_EXTENSIONS.has(ext)) return 'DATA';
  if (MODEL_EXTENSIONS.has(ext)) return 'MODEL';
  return 'UNKNOWN';
}

/**
 * The pointer name a writer logs: paths (absolute, existing, or containing "/") become
 * relative to the root with "/" separators; other names are kept verbatim.
 */
export function normalizePointerName(name: string, root: string, cwd: string = process.cwd()): string {
  const looksLikePath = path.isAbsolute(name) || name.includes('/') || name.includes(path.sep);
  const absolute = path.resolve(cwd, name);
  if (!looksLikePath && !fs.existsSync(absolute)) return name;
  const relative = path.relative(root, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return absolute;
  return relative.split(path.sep).join('/');
}

/** The file a `file`-namespace pointer name refers to. */
export function pointerPath(name: string, root: string): string {
  return path.isAbsolute(name) ? name : path.join(root, ...name.split('/'));
}
