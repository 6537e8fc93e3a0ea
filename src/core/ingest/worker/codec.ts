// A compact form of a prepared batch, for handing it from the parsing worker to the thread that
// owns the index. Structured clone of the objects themselves costs the receiving thread about as
// much as parsing the JSON did; this form is one Float64Array of numbers (handed over, not copied)
// and one array of distinct strings (cloned, which is cheap for a flat array), and decoding it is a
// single pass that builds the objects again. Decoding checks that the arrays hold exactly one batch.
// (A plain array of numbers was cloned element by element, and growing it cost the worker more
// than any other step after parsing the JSON.)
import type {
  FlagUpdate,
  MetaUpdate,
  PreparedBatch,
  RetractionUpdate,
  RunDelta,
  RunValueUpdate,
  TaskMetricUpdate,
  TaskValueUpdate,
} from '../runDeltas';
import { TASK_ROLES } from '../values';
import type { PointerType } from '../../model';
import type { ComponentMeta, ParsedDataset } from '../parseEvent';

export interface EncodedBatch {
  numbers: Float64Array<ArrayBuffer>;
  strings: string[];
}

const STATUS = ['complete', 'failed'] as const;
const VALUE_KINDS = ['param', 'metric'] as const;

class Writer {
  private numbers = new Float64Array(1 << 14) as Float64Array<ArrayBuffer>;
  private count = 0;
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();

  num(value: number): void {
    if (this.count === this.numbers.length) {
      const bigger = new Float64Array(this.count * 2);
      bigger.set(this.numbers);
      this.numbers = bigger;
    }
    this.numbers[this.count++] = value;
  }
  /** The numbers written, in an array of their own (to be handed over). */
  written(): Float64Array<ArrayBuffer> {
    return this.numbers.slice(0, this.count);
  }
  /** null is NaN: no number we store is ever NaN. */
  maybeNum(value: number | null): void {
    this.num(value ?? NaN);
  }
  bool(value: boolean): void {
    this.num(value ? 1 : 0);
  }
  /** A string that repeats (names, hashes, code): stored once per batch. */
  str(value: string): void {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.strings.push(value) - 1;
      this.index.set(value, i);
    }
    this.num(i);
  }
  /** A string seen once per batch (a run id): not worth looking up. */
  once(value: string): void {
    this.num(this.strings.push(value) - 1);
  }
  maybeStr(value: string | null | undefined): void {
    if (value === null || value === undefined) this.num(-1);
    else this.str(value);
  }
  /** A run of floats. */
  floats(values: Float64Array): void {
    this.num(values.length);
    for (const v of values) this.num(v);
  }
  list<T>(items: readonly T[] | ReadonlySet<T>, each: (item: T) => void): void {
    this.num('length' in items ? items.length : items.size);
    for (const item of items) each(item);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly batch: EncodedBatch) {}

  get done(): boolean {
    return this.at >= this.batch.numbers.length;
  }
  num(): number {
    if (this.done) throw new Error('encoded batch ends early');
    return this.batch.numbers[this.at++];
  }
  maybeNum(): number | null {
    const value = this.num();
    return Number.isNaN(value) ? null : value;
  }
  bool(): boolean {
    return this.num() === 1;
  }
  floats(): Float64Array {
    const length = this.num();
    if (this.at + length > this.batch.numbers.length) throw new Error('encoded batch ends early');
    const values = this.batch.numbers.slice(this.at, this.at + length);
    this.at += length;
    return values;
  }
  str(): string {
    return this.string(this.num());
  }
  maybeStr(): string | null {
    const i = this.num();
    return i === -1 ? null : this.string(i);
  }
  list<T>(each: () => T): T[] {
    const items = new Array<T>(this.num());
    for (let i = 0; i < items.length; i++) items[i] = each();
    return items;
  }
  private string(i: number): string {
    const value = this.batch.strings[i];
    if (value === undefined) throw new Error(`encoded batch has no string ${i}`);
    return value;
  }
}

export function encodeBatch(batch: PreparedBatch): EncodedBatch {
  const w = new Writer();
  const dataset = (d: ParsedDataset) => {
    w.str(d.namespace);
    w.str(d.name);
    w.maybeStr(d.type);
    w.maybeStr(d.fingerprint);
    w.maybeStr(d.profile?.data);
    if (d.profile) w.floats(d.profile.numbers);
    w.list(d.labels ?? [], (l) => w.str(l));
  };
  w.list(batch.metas, (m) => {
    w.str(m.component);
    w.str(m.namespace);
    w.num(m.ms);
    w.maybeStr(m.meta.description);
    w.maybeStr(m.meta.owner);
    w.bool(m.meta.tags !== undefined);
    if (m.meta.tags) w.list(m.meta.tags, (t) => w.str(t));
  });
  w.list(batch.flags, ({ event, seq }) => {
    w.num(seq);
    w.num(event.timeMs);
    w.str(event.namespace);
    w.str(event.name);
    w.bool(event.flagged);
    w.bool(event.all);
  });
  w.list(batch.retractions, (r) => {
    w.num(r.timeMs);
    w.list(r.labels, (l) => w.str(l));
  });
  w.list(batch.deltas, (d) => {
    w.once(d.runId);
    w.str(d.component);
    w.str(d.namespace);
    w.bool(d.lifecycle);
    w.num(d.seq);
    w.num(d.firstMs);
    w.maybeNum(d.startMs);
    w.maybeNum(d.endMs);
    w.num(d.terminal ? STATUS.indexOf(d.terminal.status) : -1);
    w.maybeNum(d.terminal?.ms ?? null);
    w.maybeStr(d.gitHash);
    w.bool(d.gitTags !== null);
    if (d.gitTags) w.list(d.gitTags, (t) => w.str(t));
    w.maybeStr(d.sourceFile);
    w.maybeNum(d.sourceLine);
    w.bool(d.code !== null);
    if (d.code) {
      w.str(d.code.language);
      w.str(d.code.source);
    }
    w.maybeStr(d.codeRef);
    w.maybeStr(d.error);
    w.maybeNum(d.thresholdDays);
    w.maybeStr(d.user);
    w.maybeStr(d.host);
    w.bool(d.noInputDeps);
    w.list(d.upstream, (name) => w.str(name));
    w.list(d.notes, (note) => {
      w.num(note.ms);
      w.str(note.text);
    });
    w.list([...d.inputs.values()], dataset);
    w.list([...d.outputs.values()], dataset);
  });
  w.list(batch.runValues, (v) => {
    w.str(v.runId);
    w.num(VALUE_KINDS.indexOf(v.kind));
    w.str(v.name);
    w.str(v.value);
    w.num(v.ms);
    w.num(v.seq);
  });
  w.list(batch.taskValues, (v) => {
    w.str(v.task);
    w.num(TASK_ROLES.indexOf(v.role));
    w.str(v.identifier);
    w.num(v.value);
    w.num(v.ms);
    w.num(v.seq);
    w.str(v.runId ?? '');
  });
  w.list(batch.taskMetrics, (m) => {
    w.str(m.task);
    w.str(m.metric.name);
    w.str(m.metric.identifier);
    w.maybeNum(m.metric.windowSize);
    w.maybeStr(m.metric.function);
    w.maybeStr(m.metric.callable);
    w.num(m.ms);
    w.num(m.seq);
  });
  return { numbers: w.written(), strings: w.strings };
}

export function decodeBatch(batch: EncodedBatch): PreparedBatch {
  const r = new Reader(batch);
  const dataset = (): ParsedDataset => {
    const d: ParsedDataset = {
      namespace: r.str(),
      name: r.str(),
      type: r.maybeStr() as PointerType | null,
      fingerprint: r.maybeStr(),
      profile: null,
    };
    const data = r.maybeStr();
    if (data !== null) d.profile = { data, numbers: r.floats() };
    const labels = r.list(() => r.str());
    if (labels.length) d.labels = labels;
    return d;
  };
  const datasets = () => {
    const map = new Map<string, ParsedDataset>();
    for (const d of r.list(dataset)) map.set(`${d.namespace}\0${d.name}`, d);
    return map;
  };
  const metas = r.list((): MetaUpdate => {
    const component = r.str();
    const namespace = r.str();
    const ms = r.num();
    const meta: ComponentMeta = {};
    const description = r.maybeStr();
    const owner = r.maybeStr();
    if (description !== null) meta.description = description;
    if (owner !== null) meta.owner = owner;
    if (r.bool()) meta.tags = r.list(() => r.str());
    return { component, namespace, meta, ms };
  });
  const flags = r.list((): FlagUpdate => ({
    seq: r.num(),
    event: {
      kind: 'flag',
      timeMs: r.num(),
      namespace: r.str(),
      name: r.str(),
      flagged: r.bool(),
      all: r.bool(),
    },
  }));
  const retractions = r.list((): RetractionUpdate => ({ timeMs: r.num(), labels: r.list(() => r.str()) }));
  const deltas = r.list((): RunDelta => {
    const runId = r.str();
    const component = r.str();
    const namespace = r.str();
    const lifecycle = r.bool();
    const seq = r.num();
    const firstMs = r.num();
    const startMs = r.maybeNum();
    const endMs = r.maybeNum();
    const status = r.num();
    const terminalMs = r.maybeNum();
    const gitHash = r.maybeStr();
    const gitTags = r.bool() ? r.list(() => r.str()) : null;
    const sourceFile = r.maybeStr();
    const sourceLine = r.maybeNum();
    const code = r.bool() ? { language: r.str(), source: r.str() } : null;
    const codeRef = r.maybeStr();
    return {
      runId,
      component,
      namespace,
      lifecycle,
      seq,
      firstMs,
      startMs,
      endMs,
      terminal: status === -1 ? null : { status: STATUS[status], ms: terminalMs! },
      gitHash,
      gitTags,
      sourceFile,
      sourceLine,
      code,
      codeRef,
      error: r.maybeStr(),
      thresholdDays: r.maybeNum(),
      user: r.maybeStr(),
      host: r.maybeStr(),
      noInputDeps: r.bool(),
      upstream: new Set(r.list(() => r.str())),
      notes: r.list(() => ({ ms: r.num(), text: r.str() })),
      inputs: datasets(),
      outputs: datasets(),
    };
  });
  const runValues = r.list((): RunValueUpdate => ({
    runId: r.str(),
    kind: VALUE_KINDS[r.num()],
    name: r.str(),
    value: r.str(),
    ms: r.num(),
    seq: r.num(),
  }));
  const taskValues = r.list((): TaskValueUpdate => ({
    task: r.str(),
    role: TASK_ROLES[r.num()],
    identifier: r.str(),
    value: r.num(),
    ms: r.num(),
    seq: r.num(),
    runId: r.str() || null,
  }));
  const taskMetrics = r.list((): TaskMetricUpdate => ({
    task: r.str(),
    metric: {
      name: r.str(),
      identifier: r.str(),
      windowSize: r.maybeNum(),
      function: r.maybeStr(),
      callable: r.maybeStr(),
    },
    ms: r.num(),
    seq: r.num(),
  }));
  if (!r.done) throw new Error('encoded batch has trailing data');
  return { metas, deltas, flags, retractions, runValues, taskValues, taskMetrics };
}
