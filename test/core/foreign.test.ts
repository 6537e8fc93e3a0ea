// Events written by other OpenLineage producers (DESIGN.md §4, docs/EVENTS.md "Foreign events"),
// and the spec-validity of the events we write.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { LineageEvent } from '../../src/core/events';
import { LineageError } from '../../src/core/model';
import {
  appendEvents,
  appendRaw,
  at,
  examplesDir,
  flagEvent,
  foreignRunEvent,
  iso,
  jobEvent,
  MemoryWriter,
  notesEvent,
  tempFixture,
  unflagAllEvent,
  uuid,
} from '../helpers/lineage';
import { validateEvent } from '../helpers/openlineage';

interface ExampleDataset {
  namespace: string;
  name: string;
}
/** The parts of an example event the tests look at. */
interface ExampleEvent {
  eventType?: string;
  eventTime: string;
  run?: { runId?: string };
  job: { name: string; facets?: { documentation?: { description?: string }; ownership?: unknown } };
  inputs?: ExampleDataset[];
  outputs?: ExampleDataset[];
}
const readExample = (kind: 'valid' | 'invalid', name: string): ExampleEvent =>
  JSON.parse(fs.readFileSync(path.join(examplesDir, kind, name), 'utf8')) as ExampleEvent;
const examples = (kind: 'valid' | 'invalid') =>
  fs
    .readdirSync(path.join(examplesDir, kind))
    .filter((n) => n.endsWith('.json'))
    .sort();

describe('foreign events: examples/valid', () => {
  test('there are examples to read', () => {
    assert.ok(examples('valid').length >= 5);
    assert.ok(examples('invalid').length >= 5);
  });

  for (const name of examples('valid')) {
    test(`${name} ingests without errors and shows its run, job and datasets`, async (t) => {
      const event = readExample('valid', name);
      const fx = tempFixture(t);
      appendEvents(fx, 'foreign.jsonl', [event]); // compacted to one line
      const store = await fx.open({ deferIngest: true });
      const report = store.ingest();
      assert.deepEqual(
        report.problems.filter((p) => p.severity === 'error'),
        [],
        JSON.stringify(report.problems),
      );
      assert.deepEqual(
        store.problems().filter((p) => p.severity === 'error'),
        [],
      );

      const display = (d: { namespace: string; name: string }) =>
        d.namespace === 'file' ? d.name : `${d.namespace}/${d.name}`;
      const runId = event.run?.runId;
      if (runId) {
        assert.equal(report.events, 1);
        assert.equal(report.runs, 1);
        const run = store.inspect(runId);
        assert.equal(run.id, runId);
        assert.equal(run.component, event.job.name);
        const status = {
          START: 'running',
          RUNNING: 'running',
          COMPLETE: 'complete',
          FAIL: 'failed',
          ABORT: 'failed',
        }[event.eventType as string];
        assert.equal(run.status, status);
        assert.equal(
          run.startTime,
          new Date(event.eventTime).toISOString(),
          'without our facet, the run starts at its only event',
        );
        assert.deepEqual(run.inputs, [...new Set((event.inputs ?? []).map(display))].sort());
        assert.deepEqual(run.outputs, [...new Set((event.outputs ?? []).map(display))].sort());
        assert.deepEqual(
          run.dependencies,
          [],
          'a run reading and writing one dataset does not depend on itself',
        );
        const description = event.job.facets?.documentation?.description;
        if (description !== undefined) assert.equal(run.description, description);
        assert.deepEqual(run.gitTags, [], 'tags other than git.tag are not git tags');
        assert.deepEqual(
          store.recent().items.map((r) => r.id),
          [runId],
        );
        assert.deepEqual(
          store.components().map((c) => [c.name, c.runCount]),
          [[event.job.name, 1]],
        );
        for (const output of event.outputs ?? []) {
          assert.deepEqual(
            store.trace(display(output)).runs.map((r) => r.id),
            [runId],
          );
          assert.equal(
            store.trace(output.name).pointer,
            display(output),
            'a bare name that is unique resolves',
          );
        }
        for (const input of event.inputs ?? []) {
          assert.deepEqual(
            store.trace(display(input), { downstream: true }).runs.map((r) => r.id),
            [runId],
          );
        }
      } else {
        // A JobEvent or DatasetEvent without our facets changes nothing (docs/EVENTS.md).
        assert.equal(report.runs, 0);
        assert.deepEqual(store.recent().items, []);
        assert.deepEqual(store.components(), []);
        assert.deepEqual(store.pointers(), []);
      }
    });
  }

  test('the fluentd full event: its description is read; an http source URL is no source file', async (t) => {
    const event = readExample('valid', 'proxy_fluentd_events_event_full.json');
    const fx = tempFixture(t);
    appendEvents(fx, 'foreign.jsonl', [event]);
    const store = await fx.open();
    const run = store.inspect(event.run!.runId!);
    assert.equal(run.description, 'string');
    assert.equal(run.sourceFile, null, 'an http URL is not a workspace file');
    assert.equal(run.gitHash, null);
  });
});

describe('foreign events: examples/invalid', () => {
  for (const name of examples('invalid')) {
    test(`${name} is reported, or ingested without its bad facet`, async (t) => {
      const event = readExample('invalid', name);
      assert.notDeepEqual(validateEvent(event), [], 'the example really breaks the spec');
      const fx = tempFixture(t);
      const w = fx.writer();
      const good = w.logRun(
        { component: 'before', startTime: at(0) },
        { status: 'complete', endTime: at(1) },
      );
      appendEvents(fx, 'foreign.jsonl', [
        foreignRunEvent({ eventType: 'START', runId: uuid(1), job: 'ok', time: at(2) }),
        event,
        foreignRunEvent({ eventType: 'COMPLETE', runId: uuid(1), job: 'ok', time: at(3) }),
      ]);
      const store = await fx.open({ deferIngest: true });
      const report = store.ingest();
      const file = fx.file('foreign.jsonl');
      assert.equal(store.inspect(good).status, 'complete');
      assert.equal(store.inspect(uuid(1)).status, 'complete', 'the lines after it are read');
      const errors = report.problems.filter((p) => p.severity === 'error');
      const runId: string | undefined = event.run?.runId;
      if (!runId) {
        assert.deepEqual(errors, [
          { file, line: 2, reason: 'RunEvent without run.runId', severity: 'error' },
        ]);
        assert.equal(report.events, 4);
        assert.equal(store.recent().items.length, 2);
        assert.ok(
          !store.hasPointer('my-datasource-namespace/instance.schema.output-1'),
          'nothing of the skipped event is kept',
        );
        return;
      }
      assert.deepEqual(errors, []);
      for (const p of report.problems)
        assert.equal(p.line, 2, `warnings name the line: ${JSON.stringify(p)}`);
      const run = store.inspect(runId);
      assert.equal(run.component, event.job.name);
      assert.equal(run.status, 'complete');
      const display = (d: { namespace: string; name: string }) => `${d.namespace}/${d.name}`;
      assert.deepEqual(run.inputs, (event.inputs ?? []).map(display));
      assert.deepEqual(run.outputs, (event.outputs ?? []).map(display));
      if (event.job.facets?.ownership) {
        assert.equal(run.owner, '', 'the invalid ownership facet is dropped');
        assert.deepEqual(
          store
            .components({ owner: '' })
            .map((c) => c.name)
            .includes(event.job.name),
          true,
        );
        assert.deepEqual(report.problems, [
          {
            file,
            line: 2,
            reason: 'facet ownership ignored: every owner needs a "name"',
            severity: 'warning',
          },
        ]);
      }
    });
  }
});

describe('foreign events: shapes we read', () => {
  test('a facet we read with the wrong shape is dropped with a warning naming it; the event is kept', async (t) => {
    const fx = tempFixture(t);
    const runId = uuid(3);
    const bad = (facets: Record<string, unknown>, jobFacets: Record<string, unknown> = {}) => ({
      ...foreignRunEvent({ eventType: 'COMPLETE', runId, job: 'j', time: at(5), outputs: ['o.csv'] }),
      run: { runId, facets },
      job: { namespace: 'n', name: 'j', facets: jobFacets },
    });
    appendEvents(fx, 'f.jsonl', [
      bad({ mltrace_run: { startTime: 'not a time' } }),
      bad({ errorMessage: { message: 42 } }),
      bad({ tags: { tags: [{ key: 1 }] } }),
      bad({ jobDependencies: { upstream: 'x' } }),
      bad({ mltrace_notes: { notes: ['a'] } }),
      bad({}, { sourceCodeLocation: { url: 7 } }),
      bad({}, { sourceCode: { language: 'python' } }),
      bad({}, { documentation: { description: null } }),
      bad({}, { tags: { tags: 'etl' } }),
      {
        ...bad({}),
        outputs: [
          {
            namespace: 'file',
            name: 'o.csv',
            facets: { version: { datasetVersion: 1 }, mltrace_pointer: { pointerType: 'TABLE' } },
          },
        ],
      },
      { ...bad({}), inputs: 'none' },
      { ...bad({}), inputs: [{ name: 'no-namespace' }] },
      {
        eventTime: iso(6),
        dataset: { namespace: 'file', name: 'o.csv', facets: { mltrace_flag: { flagged: 'yes' } } },
      },
    ]);
    const store = await fx.open({ deferIngest: true });
    const report = store.ingest();
    assert.deepEqual(
      report.problems.map((p) => [p.line, p.severity, p.reason]),
      [
        [1, 'warning', 'mltrace_run.startTime ignored: not an ISO 8601 time'],
        [2, 'warning', 'facet errorMessage ignored: "message" must be a string'],
        [3, 'warning', 'facet run tags ignored: every tag needs a string "key" and "value"'],
        [4, 'warning', 'facet jobDependencies ignored: "upstream" must be an array'],
        [5, 'warning', 'facet mltrace_notes ignored: "notes" must be a string'],
        [6, 'warning', 'facet sourceCodeLocation ignored: "url" must be a string'],
        [7, 'warning', 'facet sourceCode ignored: "language" and "sourceCode" must be strings'],
        [8, 'warning', 'facet documentation ignored: "description" must be a string'],
        [9, 'warning', 'facet job tags ignored: every tag needs a string "key" and "value"'],
        [10, 'warning', 'facet version of output o.csv ignored: "datasetVersion" must be a string'],
        [10, 'warning', 'facet mltrace_pointer of output o.csv ignored: unknown pointerType'],
        [11, 'warning', 'inputs ignored: not an array'],
        [12, 'warning', 'an input was ignored: it needs a string "namespace" and "name"'],
        [13, 'warning', 'facet mltrace_flag ignored: "flagged" must be true or false'],
      ],
    );
    const run = store.inspect(runId);
    assert.equal(run.status, 'complete');
    assert.equal(run.error, null);
    assert.equal(run.notes, '');
    assert.equal(run.description, '');
    assert.deepEqual(run.tags, []);
    assert.deepEqual(run.outputPointers, [
      { name: 'o.csv', type: 'DATA', flagged: false, fingerprint: null },
    ]);
  });

  test('unknown facets are ignored without a problem', async (t) => {
    const fx = tempFixture(t);
    const event = foreignRunEvent({
      eventType: 'COMPLETE',
      runId: uuid(4),
      job: 'spark_job',
      time: at(1),
      outputs: [{ namespace: 's3://bucket', name: 'path/part-0.parquet' }],
      runFacets: {
        spark_properties: { _producer: 'x', _schemaURL: 'y', properties: { a: 1 } },
        processing_engine: { version: '3.5' },
      },
    });
    appendEvents(fx, 'spark.jsonl', [event]);
    const store = await fx.open({ deferIngest: true });
    const report = store.ingest();
    assert.deepEqual(report.problems, []);
    assert.deepEqual(store.inspect(uuid(4)).outputs, ['s3://bucket/path/part-0.parquet']);
    assert.equal(store.trace('s3://bucket/path/part-0.parquet').runs[0].id, uuid(4));
    assert.equal(store.trace('path/part-0.parquet').runs[0].id, uuid(4), 'a unique bare name resolves');
  });

  test('a run id in upper case (UUIDs are case-insensitive) can be inspected by its id and any prefix', async (t) => {
    const fx = tempFixture(t);
    const upper = 'ABCDEF12-3456-4789-8ABC-DEF012345678';
    appendEvents(fx, 'dotnet.jsonl', [
      foreignRunEvent({ eventType: 'START', runId: upper, job: 'export', time: at(1) }),
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: upper.toLowerCase(),
        job: 'export',
        time: at(2),
        outputs: ['out.csv'],
      }),
    ]);
    const store = await fx.open();
    assert.equal(store.recent().items.length, 1, 'the two spellings are one run');
    for (const id of [upper, upper.toLowerCase(), 'abcdef12', 'ABCDEF']) {
      const run = store.inspect(id);
      assert.equal(run.component, 'export');
      assert.equal(run.status, 'complete');
      assert.equal(run.startTime, iso(1));
    }
    assert.throws(() => store.inspect('abcdef13'), LineageError);
  });
});

describe('events we write validate against the OpenLineage 2-0-2 schemas', () => {
  test('every kind of event the writer emits is valid', (t) => {
    const fx = tempFixture(t);
    fx.writeFile('data/raw.csv', 'a,b\n1,2\n');
    fx.writeFile('pipeline.py', 'def clean():\n    pass\n');
    const w = new MemoryWriter(fx.location, 'test');
    const handle = w.startRun({
      component: 'clean',
      startTime: at(0),
      inputs: [{ name: 'data/raw.csv' }, { name: 'https://api.example.com/v1', endpoint: true }],
      source: {
        gitHash: '3f2a9c0',
        gitTags: ['v1.2'],
        sourceFile: 'pipeline.py',
        sourceLine: 1,
        code: { language: 'python', source: 'def clean():\n    pass' },
      },
      upstream: ['ingest'],
    });
    w.endRun(handle, {
      status: 'complete',
      endTime: at(1),
      outputs: [{ name: 'data/clean.csv' }, { name: 'model_v1' }],
    });
    w.logRun(
      { component: 'train', startTime: at(2) },
      {
        status: 'failed',
        endTime: at(3),
        error: { message: 'boom', language: 'python', stackTrace: 'Traceback…' },
        exit: { exitCode: 1, command: ['python', 'train.py'] },
      },
    );
    w.logRun(
      { component: 'plain', startTime: at(4), source: { sourceFile: 'pipeline.py' } },
      { status: 'complete', endTime: at(5) },
    );
    w.addNotes(handle.runId, 'clean', 'looks fine');
    w.defineComponent({ name: 'clean', description: 'cleans', owner: 'ana', tags: ['etl', 'daily'] });
    w.defineComponent({ name: 'bare' });
    w.flag('data/clean.csv', true);
    w.flag('data/clean.csv', false);
    w.unflagAll();
    const ours: LineageEvent[] = [
      ...w.events,
      flagEvent('x', true, at(9)),
      unflagAllEvent(at(9)),
      notesEvent(uuid(1), 'c', 'n', at(9)),
      jobEvent('c', { description: 'd', owner: 'o', tags: ['t'] }, at(9)),
    ];
    assert.equal(w.events.length, 12);
    for (const [i, event] of ours.entries())
      assert.deepEqual(validateEvent(event), [], `event ${i}: ${JSON.stringify(event)}`);
    const complete = w.events[1] as unknown as {
      inputs: Array<{ facets: { version: { datasetVersion: string } } }>;
      job: { facets: { sourceCodeLocation: { url: string } } };
    };
    assert.match(complete.inputs[0].facets.version.datasetVersion, /^sha256:[0-9a-f]{64}$/);
    assert.equal(
      complete.job.facets.sourceCodeLocation.url,
      `file://${path.join(fx.root, 'pipeline.py')}#L1`,
    );
  });
});

describe('raw files from other writers', () => {
  test('a file without a final newline keeps its last event pending, whatever produced it', async (t) => {
    const fx = tempFixture(t);
    appendRaw(
      fx,
      'ol.jsonl',
      JSON.stringify(foreignRunEvent({ eventType: 'COMPLETE', runId: uuid(8), job: 'j', time: at(1) })),
    );
    const store = await fx.open({ deferIngest: true });
    assert.equal(store.ingest().events, 0);
    appendRaw(fx, 'ol.jsonl', '\n');
    assert.equal(store.ingest().events, 1);
    assert.equal(store.inspect(uuid(8)).status, 'complete');
  });
});
