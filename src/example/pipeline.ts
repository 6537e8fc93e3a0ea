// The example pipeline workspace: a small Python pipeline (ingest → clean → featurize → train →
// predict) with runs already logged over the last three days, one of them stale (its input was
// edited by hand after it ran) and one output flagged. Used by the "Create Example Pipeline"
// command, `npm run demo` and the extension-host tests. Never imports vscode.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { storeLocation } from '../core/storeDir';
import { EventWriter, PointerSpec } from '../core/writer';
import { retractionEvent } from '../core/labels/events';
import { exampleTaskEvents, SENSOR_LABELS } from './extras';

export const EXAMPLE_FOLDER = 'mltrace-example';

interface Stage {
  component: string;
  description: string;
  owner: string;
  tags: string[];
  inputs: string[];
  outputs: string[];
  /** Writes the stage's outputs (run `n` of the pipeline). */
  produce(root: string, n: number): void;
}

const STAGES: Stage[] = [
  {
    component: 'ingest',
    description: 'Downloads the raw sensor readings.',
    owner: 'data-team',
    tags: ['etl'],
    inputs: [],
    outputs: ['data/raw.csv'],
    produce: (root, n) => write(root, 'data/raw.csv', `sensor,reading\n${readings(n).join('\n')}\n,\n`),
  },
  {
    component: 'clean',
    description: 'Drops empty rows.',
    owner: 'data-team',
    tags: ['etl'],
    inputs: ['data/raw.csv'],
    outputs: ['data/clean.csv'],
    produce: (root) => write(root, 'data/clean.csv', read(root, 'data/raw.csv').replace(/^,\n/m, '')),
  },
  {
    component: 'featurize',
    description: 'Adds the squared reading as a feature.',
    owner: 'ml-team',
    tags: ['features'],
    inputs: ['data/clean.csv'],
    outputs: ['data/features.csv'],
    produce: (root) => {
      const [header, ...rows] = read(root, 'data/clean.csv').trim().split('\n');
      write(
        root,
        'data/features.csv',
        [`${header},squared`, ...rows.map((r) => `${r},${Number(r.split(',')[1]) ** 2}`)].join('\n') + '\n',
      );
    },
  },
  {
    component: 'train',
    description: 'Fits the model on the features.',
    owner: 'ml-team',
    tags: ['ml'],
    inputs: ['data/features.csv'],
    outputs: ['models/model.pkl'],
    produce: (root, n) =>
      write(root, 'models/model.pkl', `model v${n}\n${read(root, 'data/features.csv').length}\n`),
  },
  {
    component: 'predict',
    description: 'Scores the features with the model.',
    owner: 'ml-team',
    tags: ['ml'],
    inputs: ['models/model.pkl', 'data/features.csv'],
    outputs: ['data/predictions.csv'],
    produce: (root, n) =>
      write(root, 'data/predictions.csv', `sensor,prediction\ns0,${0.5 + n / 10}\ns1,${0.25 + n / 10}\n`),
  },
];

/**
 * Day `n`'s sensor readings, about 150 of them: around 30 on day 1; the sensors were recalibrated
 * before day 2, whose readings are around 36 — the drift that the inspector's Data tab of the
 * day-1 runs shows (docs/DRIFT.md). Seeded: the same numbers on every machine.
 */
function readings(n: number): string[] {
  let seed = n * 7919;
  const uniform = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const mean = n >= 2 ? 36 : 30;
  return Array.from(
    { length: 150 + n },
    (_, i) => `s${i % 3},${Math.round(mean + 12 * (uniform() + uniform() + uniform() - 1.5))}`,
  );
}

/** The Python source of the pipeline; each stage's function is a `@register` component. */
const PIPELINE_PY = `"""Example pipeline for mltrace for VS Code: each function is a logged component.

Run it with mltrace's Python shim on PYTHONPATH:  python pipeline.py
"""
import os

from mltrace import create_component, register

create_component("ingest", "Downloads the raw sensor readings.", "data-team", ["etl"])
create_component("clean", "Drops empty rows.", "data-team", ["etl"])
create_component("featurize", "Adds the squared reading as a feature.", "ml-team", ["features"])
create_component("train", "Fits the model on the features.", "ml-team", ["ml"])
create_component("predict", "Scores the features with the model.", "ml-team", ["ml"])


@register("ingest", outputs=["data/raw.csv"])
def ingest():
    os.makedirs("data", exist_ok=True)
    with open("data/raw.csv", "w") as f:
        f.write("sensor,reading\\ns0,3\\ns1,7\\n,\\n")


@register("clean", inputs=["data/raw.csv"], outputs=["data/clean.csv"])
def clean():
    rows = [r for r in open("data/raw.csv").read().splitlines() if r != ","]
    with open("data/clean.csv", "w") as f:
        f.write("\\n".join(rows) + "\\n")


@register("featurize", inputs=["data/clean.csv"], outputs=["data/features.csv"])
def featurize():
    header, *rows = open("data/clean.csv").read().split()
    with open("data/features.csv", "w") as f:
        f.write(header + ",squared\\n")
        for row in rows:
            f.write("%s,%d\\n" % (row, int(row.split(",")[1]) ** 2))


@register("train", inputs=["data/features.csv"], outputs=["models/model.pkl"])
def train():
    os.makedirs("models", exist_ok=True)
    with open("models/model.pkl", "w") as f:
        f.write("model\\n%d\\n" % len(open("data/features.csv").read()))


@register("predict", inputs=["models/model.pkl", "data/features.csv"], outputs=["data/predictions.csv"])
def predict():
    with open("data/predictions.csv", "w") as f:
        f.write("sensor,prediction\\ns0,0.5\\ns1,0.25\\n")


if __name__ == "__main__":
    ingest()
    clean()
    featurize()
    train()
    predict()
`;

const README = `# mltrace example pipeline

\`pipeline.py\` has five components, ingest → clean → featurize → train → predict, and
\`.mltrace/events/\` already holds three days of their runs:

- **featurize** is *stale*: \`data/clean.csv\` was edited by hand after its latest run read it.
- **data/predictions.csv** is *flagged* as erroneous: run "mltrace: Review Flagged Outputs".
- The sensors were recalibrated after day 1: the readings **drifted**. Inspect the first run of
  **train** and open its *Data* tab to see the two distributions.

Open the **mltrace** view in the activity bar, right-click a file under \`data/\` → *Trace
Lineage*, and look at the CodeLens above each function in \`pipeline.py\`.
`;

export interface ExampleSummary {
  root: string;
  runs: number;
  stale: string;
  flagged: string;
}

const HOUR_MS = 3600_000;

/**
 * Writes the example into `root` (created if needed) and logs its runs; `history` more pipeline
 * runs, an hour apart before them, make a large store (to try indexing at scale).
 */
export function createExamplePipeline(root: string, now: Date = new Date(), history = 0): ExampleSummary {
  fs.mkdirSync(root, { recursive: true });
  write(root, 'pipeline.py', PIPELINE_PY);
  write(root, 'README.md', README);
  write(root, '.gitignore', '.mltrace/lineage.sqlite*\n');
  const location = storeLocation(path.join(root, '.mltrace'), {});
  const writer = new EventWriter(location, 'example');
  let runs = 0;
  try {
    for (const stage of STAGES)
      writer.defineComponent({
        name: stage.component,
        description: stage.description,
        owner: stage.owner,
        tags: stage.tags,
      });
    const source = sourceOf(PIPELINE_PY);
    /** The predict runs of the pipeline (not of the older history): they log the task's outputs. */
    const predictions: Array<{ runId: string; start: Date }> = [];
    const logStage = (stage: Stage, n: number, hoursAgo: number, failed = false) => {
      const start = new Date(now.getTime() - hoursAgo * HOUR_MS);
      if (!failed && n > 0) stage.produce(root, n);
      const pointers = (names: string[]): PointerSpec[] => names.map((name) => ({ name }));
      // Whose readings clean reads (docs/LABELS.md): both customers' at first, then only globex's.
      const labels = stage.component === 'clean' && n > 0 ? SENSOR_LABELS[n] : undefined;
      const runId = writer.logRun(
        {
          component: stage.component,
          startTime: start,
          inputs: pointers(stage.inputs).map((p) => (labels ? { ...p, labels } : p)),
          source: { sourceFile: 'pipeline.py', ...source(stage.component) },
        },
        failed
          ? {
              status: 'failed',
              endTime: new Date(start.getTime() + 4_000),
              error: { message: 'MemoryError: could not allocate the feature matrix', language: 'python' },
            }
          : {
              status: 'complete',
              endTime: new Date(start.getTime() + 2_000 + stage.component.length * 300),
              outputs: pointers(stage.outputs),
            },
      );
      if (stage.component === 'predict' && n > 0 && !failed) predictions.push({ runId, start });
      runs++;
    };
    // Older history (before any file exists: no fingerprints), oldest first.
    for (let k = history; k > 0; k--) logStage(STAGES[k % STAGES.length], 0, 72 + k);
    // Three days ago, yesterday (train failed once, then succeeded), and a re-run of the model today.
    STAGES.forEach((stage, i) => logStage(stage, 1, 72 - i * 0.1));
    STAGES.forEach((stage, i) => {
      if (stage.component === 'train') logStage(stage, 2, 25.55 - i * 0.1, true);
      logStage(stage, 2, 25.5 - i * 0.1);
    });
    logStage(STAGES[3], 3, 3);
    logStage(STAGES[4], 3, 2.5);
    // Someone fixed data/clean.csv by hand: featurize's latest run read the old content → stale.
    fs.appendFileSync(path.join(root, 'data/clean.csv'), 's2,5\n');
    writer.flag('data/predictions.csv', true);
    // acme asked for deletion after the first run; every file has been rewritten without its
    // readings since, so nothing carries it now.
    writer.append(retractionEvent(['acme'], new Date(now.getTime() - 48 * HOUR_MS)));
    for (const event of exampleTaskEvents(predictions, now)) writer.append(event);
  } finally {
    writer.close();
  }
  return { root, runs, stale: 'featurize', flagged: 'data/predictions.csv' };
}

/** Source line (of the decorator, as Python records it) and code of each component's function. */
function sourceOf(
  py: string,
): (component: string) => { sourceLine: number; code: { language: string; source: string } } {
  const lines = py.split('\n');
  return (component) => {
    const start = lines.findIndex((l) => l.startsWith(`@register("${component}"`));
    let end = start + 2; // past the decorator and the def line: the body runs to the next top-level line
    while (end < lines.length && !/^\S/.test(lines[end])) end++;
    return {
      sourceLine: start + 1,
      code: { language: 'python', source: lines.slice(start, end).join('\n').trimEnd() },
    };
  };
}

function write(root: string, rel: string, content: string): void {
  const file = path.join(root, ...rel.split('/'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

function read(root: string, rel: string): string {
  return fs.readFileSync(path.join(root, ...rel.split('/')), 'utf8');
}

/**
 * Runs the example's pipeline.py once with the Python shim in `shimDir` (its newest runs are then
 * real ones), then edits the cleaned data by hand, as the example's story goes: featurize's latest
 * run is stale again. Resolves with null, or why python3 could not run it.
 */
export function runExamplePipeline(root: string, shimDir: string): Promise<string | null> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: shimDir };
  delete env.MLTRACE_DIR; // the nearest store: the example's own
  return new Promise((resolve) => {
    execFile('python3', ['pipeline.py'], { cwd: root, env, timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) {
        resolve(`${error.message.split('\n')[0]} ${stderr.trim().split('\n').pop() ?? ''}`.trim());
        return;
      }
      fs.appendFileSync(path.join(root, 'data', 'clean.csv'), 's2,5\n');
      resolve(null);
    });
  });
}
