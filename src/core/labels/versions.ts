// The versions labels are attached to, and the set node of each (graph.ts). A version is what a
// run wrote to a pointer (its writer), or, for content no logged run wrote, the fingerprint read
// (writer 0). A pointer has few: its first in typed arrays by pointer id, any other in a map, so
// that 100,000 customer files with a label each cost a few bytes apiece rather than objects and
// arrays (docs/LABELS.md, Scale).
import { EMPTY } from './sets';

interface Version {
  writer: number;
  /** The fingerprint (null for none, and for a written version). */
  print: unknown;
  node: number;
}

export class AttachedVersions {
  /** Pointer id → its first version's writer and node (node EMPTY: none). */
  private writer = new Int32Array(0);
  private node = new Int32Array(0);
  /** Pointer id → its first version's fingerprint, when not null. */
  private readonly print = new Map<number, unknown>();
  /** Pointer id → its other versions. */
  private readonly more = new Map<number, Version[]>();

  /** The node of a version: EMPTY when no label is attached to it. */
  nodeOf(pointer: number, writer: number, print: unknown): number {
    if (pointer >= this.node.length || this.node[pointer] === EMPTY) return EMPTY;
    const key = writer ? null : (print ?? null);
    if (this.writer[pointer] === writer && (this.print.get(pointer) ?? null) === key)
      return this.node[pointer];
    const more = this.more.get(pointer);
    if (more) for (const v of more) if (v.writer === writer && v.print === key) return v.node;
    return EMPTY;
  }

  /** Sets the node of a version (not EMPTY). */
  set(pointer: number, writer: number, print: unknown, node: number): void {
    const key = writer ? null : (print ?? null);
    if (pointer >= this.node.length) {
      const size = Math.max(pointer + 1, Math.ceil(this.node.length * 1.5));
      const grow = (array: Int32Array) => {
        const bigger = new Int32Array(size);
        bigger.set(array);
        return bigger;
      };
      this.writer = grow(this.writer);
      this.node = grow(this.node);
    }
    if (this.node[pointer] === EMPTY) {
      this.writer[pointer] = writer;
      this.node[pointer] = node;
      if (key !== null) this.print.set(pointer, key);
      return;
    }
    if (this.writer[pointer] === writer && (this.print.get(pointer) ?? null) === key) {
      this.node[pointer] = node;
      return;
    }
    const more = this.more.get(pointer);
    const version = more?.find((v) => v.writer === writer && v.print === key);
    if (version) version.node = node;
    else if (more) more.push({ writer, print: key, node });
    else this.more.set(pointer, [{ writer, print: key, node }]);
  }
}
