// Fixture data for the webview tests and the benchmark: what the host would post.
import type { HistoryRun, Review, ReviewedRun, Run, RunDetail, TracedRun } from '../../src/core/model';
import type {
  GraphData,
  GraphPointer,
  HistoryData,
  InspectorData,
  ReviewData,
} from '../../src/shared/protocol';

export const XSS = '<img src=x onerror=alert(1)>';
const DAY = 86_400_000;
const NOW = Date.parse('2026-11-28T12:00:00Z');

let counter = 0;
/** A deterministic UUID-like id. */
export const uuid = (n = ++counter): string => {
  const hex = n.toString(16).padStart(8, '0');
  return `${hex}-aaaa-4bbb-8ccc-${hex.padStart(12, 'd')}`;
};

export function run(partial: Partial<TracedRun> & { id: string; component: string }): TracedRun {
  return {
    status: 'complete',
    startTime: new Date(NOW - DAY).toISOString(),
    endTime: new Date(NOW - DAY + 42_000).toISOString(),
    inputs: [],
    outputs: [],
    dependencies: [],
    stale: [],
    gitHash: '3f2a9c1d0e5b7a8c9d0e1f2a3b4c5d6e7f8a9b0c',
    gitTags: [],
    sourceFile: 'pipeline.py',
    sourceLine: 10,
    notes: '',
    error: null,
    depth: 0,
    ...partial,
  };
}

/**
 * The host's window of a chain 50,000 runs deep: the nearest `shown` runs of a model fine-tuned
 * from its last checkpoint, upstream of the newest checkpoint, and where the window stopped.
 */
export function deepChainWindow(shown = 200, total = 50_000): GraphData {
  const ids = Array.from({ length: shown }, () => uuid());
  const ckpt = (step: number) => `checkpoints/step-${step}.pt`;
  const runs = ids.map((id, depth) => {
    const step = total - 1 - depth;
    return run({
      id,
      component: 'finetune',
      startTime: new Date(NOW - depth * 3_600_000).toISOString(),
      inputs: [ckpt(step - 1)],
      outputs: [ckpt(step)],
      dependencies: depth + 1 < shown ? [ids[depth + 1]] : [uuid()],
      depth,
    });
  });
  const names = new Set(runs.flatMap((r) => [...r.inputs, ...r.outputs]));
  return {
    view: 'graph',
    roots: [{ kind: 'pointer', name: ckpt(total - 1), direction: 'upstream' }],
    runs,
    pointers: [...names].map((name) => ({ name, type: 'MODEL', flagged: false })),
    trusted: true,
    more: [{ runId: ids[shown - 1], direction: 'upstream', hidden: total - shown }],
  };
}

/** ingest → clean → featurize → train (XSS-named component) → predict, upstream of data/predictions.csv. */
export function pipelineGraph(): GraphData {
  const ids = {
    ingest: uuid(101),
    clean: uuid(102),
    featurize: uuid(103),
    train: uuid(104),
    predict: uuid(105),
  };
  const runs: TracedRun[] = [
    run({
      id: ids.predict,
      component: 'predict',
      inputs: ['models/model.pkl', 'data/features.csv'],
      outputs: ['data/predictions.csv'],
      dependencies: [ids.train, ids.featurize],
      depth: 0,
      startTime: new Date(NOW - 3_600_000).toISOString(),
      endTime: new Date(NOW - 3_500_000).toISOString(),
    }),
    run({
      id: ids.train,
      component: XSS,
      inputs: ['data/features.csv'],
      outputs: ['models/model.pkl'],
      dependencies: [ids.featurize],
      depth: 1,
      startTime: new Date(NOW - 2 * DAY).toISOString(),
      endTime: new Date(NOW - 2 * DAY + 600_000).toISOString(),
    }),
    run({
      id: ids.featurize,
      component: 'featurize',
      inputs: ['data/clean.csv'],
      outputs: ['data/features.csv'],
      dependencies: [ids.clean],
      depth: 1,
      startTime: new Date(NOW - 40 * DAY).toISOString(),
      stale: [
        'clean (run 00000066) started 45 days before this run, more than the 30-day threshold.',
        'The input data/clean.csv changed since this run read it.',
      ],
    }),
    run({
      id: ids.clean,
      component: 'clean',
      inputs: ['data/raw.csv'],
      outputs: ['data/clean.csv'],
      dependencies: [ids.ingest],
      depth: 2,
      startTime: new Date(NOW - 85 * DAY).toISOString(),
      status: 'failed',
      error: 'ValueError: bad row 17',
    }),
    run({
      id: ids.ingest,
      component: 'ingest',
      inputs: ['s3://bucket/raw.parquet'],
      outputs: ['data/raw.csv'],
      depth: 3,
      startTime: new Date(NOW - 90 * DAY).toISOString(),
    }),
  ];
  const pointers: GraphPointer[] = [
    { name: 'data/predictions.csv', type: 'DATA', flagged: true },
    { name: 'models/model.pkl', type: 'MODEL', flagged: false },
    { name: 'data/features.csv', type: 'DATA', flagged: false },
    { name: 'data/clean.csv', type: 'DATA', flagged: false },
    { name: 'data/raw.csv', type: 'DATA', flagged: false },
    { name: 's3://bucket/raw.parquet', type: 'UNKNOWN', flagged: false },
  ];
  return {
    view: 'graph',
    roots: [{ kind: 'pointer', name: 'data/predictions.csv', direction: 'upstream' }],
    runs,
    pointers,
    trusted: true,
  };
}

/**
 * A synthetic lineage of about `nodes` nodes (runs + files): chains of 5 stages where every
 * third stage also reads a file of the previous chain, all upstream of one final output.
 */
export function syntheticGraph(nodes: number): GraphData {
  const runs: TracedRun[] = [];
  const pointers: GraphPointer[] = [];
  const chains = Math.max(1, Math.round(nodes / 11));
  const final = 'out/final.csv';
  const lastRuns: string[] = [];
  for (let c = 0; c < chains; c++) {
    let previous = `data/c${c}/raw.csv`;
    let previousRun: string | undefined;
    pointers.push({ name: previous, type: 'DATA', flagged: false });
    for (let s = 0; s < 5; s++) {
      const id = uuid(1_000_000 + c * 10 + s);
      const output = `data/c${c}/stage${s}.csv`;
      const inputs = [previous];
      const deps = previousRun ? [previousRun] : [];
      if (c > 0 && s === 2) inputs.push(`data/c${c - 1}/stage1.csv`);
      runs.push(
        run({
          id,
          component: `stage${s}`,
          inputs,
          outputs: [output],
          dependencies: deps,
          stale:
            c % 7 === 3 && s === 1 ? ['stage0 has 2 fresher runs that began before this run started.'] : [],
          startTime: new Date(NOW - (chains - c) * 3_600_000 - (5 - s) * 60_000).toISOString(),
        }),
      );
      pointers.push({ name: output, type: 'DATA', flagged: c % 13 === 5 && s === 4 });
      previous = output;
      previousRun = id;
    }
    lastRuns.push(previousRun!);
  }
  // One final run reading the last file of every chain (so that the whole graph is one trace).
  runs.unshift(
    run({
      id: uuid(999_999),
      component: 'report',
      inputs: lastRuns.map((_, c) => `data/c${c}/stage4.csv`),
      outputs: [final],
      dependencies: lastRuns,
    }),
  );
  pointers.push({ name: final, type: 'DATA', flagged: false });
  return {
    view: 'graph',
    roots: [{ kind: 'pointer', name: final, direction: 'upstream' }],
    runs,
    pointers,
    trusted: true,
  };
}

export function inspectorData(): InspectorData {
  const graph = pipelineGraph();
  const train = graph.runs[1];
  const detail: RunDetail = {
    ...train,
    codeSnapshot: 'def train(features):\n    model = fit(features)\n    return model\n',
    codeLanguage: 'python',
    description: `Trains the model. ${XSS}`,
    owner: 'ml-team',
    tags: ['training', XSS],
    inputPointers: [
      { name: 'data/features.csv', type: 'DATA', flagged: false, fingerprint: 'sha256:0a1b2c3d4e5f6a7b' },
      { name: 'https://feature-store/v1', type: 'ENDPOINT', flagged: false, fingerprint: null },
    ],
    outputPointers: [{ name: 'models/model.pkl', type: 'MODEL', flagged: true, fingerprint: null }],
    notes: 'Retrained after the schema change.',
    params: { lr: 0.01, optimizer: XSS },
    metrics: { accuracy: 0.8412345678 },
    stale: ['featurize (run 00000067) has 2 fresher runs that began before this run started.'],
  };
  const { depth: _depth, ...featurize } = graph.runs[2];
  return {
    view: 'inspector',
    run: detail,
    dependencies: [featurize as Run],
    sourceExists: true,
    trusted: true,
    drift: [],
  };
}

export function reviewData(flaggedCount = 3): ReviewData {
  const graph = syntheticGraph(Math.max(22, flaggedCount * 11));
  const flagged = Array.from({ length: flaggedCount }, (_, i) => `data/c${i}/stage4.csv`);
  const runs: ReviewedRun[] = graph.runs
    .slice(0, Math.min(graph.runs.length, flaggedCount * 5 + 1))
    .map((r, i) => {
      const count = i === 0 ? flaggedCount : Math.max(1, flaggedCount - (i % (flaggedCount + 1)));
      const { depth: _depth, ...plain } = r;
      return {
        ...plain,
        component: i === 1 ? XSS : r.component,
        count,
        coverage: count / flaggedCount,
        suspiciousness: count / Math.sqrt(flaggedCount * (count + (i % 3))),
      };
    });
  runs.sort((a, b) => b.count - a.count);
  const review: Review = { flagged, runs };
  const traces = flagged.map((pointer, i) => ({
    pointer,
    runIds: runs
      .filter((_, j) => (j + i) % 3 !== 1)
      .slice(0, 6)
      .map((r) => r.id),
  }));
  return { view: 'review', review, traces, trusted: true };
}

export function historyData(): HistoryData {
  const runs: HistoryRun[] = Array.from({ length: 14 }, (_, i) => {
    const { depth: _depth, ...r } = run({
      id: uuid(5000 + i),
      component: 'train',
      status: i === 3 ? 'failed' : i === 13 ? 'running' : 'complete',
      startTime: new Date(NOW - (14 - i) * DAY * 2).toISOString(),
      endTime: i === 13 ? null : new Date(NOW - (14 - i) * DAY * 2 + (i + 1) * 3_600_000).toISOString(),
      stale:
        i === 12 ? ['featurize (run 1a2b3c4d) has 2 fresher runs that began before this run started.'] : [],
    });
    // Parameters and metrics (mltrace_params, mltrace_metrics): the failed run has no metric,
    // only the last four runs measured their loss.
    const metrics: Record<string, number> = i === 3 ? {} : { accuracy: 0.7 + i * 0.01 };
    if (i >= 10) metrics.loss = 1 / (i + 1);
    return { ...r, params: { lr: 0.1 / (i + 1) }, metrics };
  });
  return { view: 'history', component: 'train', runs: runs.reverse() };
}
