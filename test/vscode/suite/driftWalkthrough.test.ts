// Issue 9's "done when", walked through: a pipeline logged by the unchanged mltrace API (a real
// python3 over this repository's python/ shim) writes a CSV that a training component reads; the
// data shifts and the first component runs again; the editor's stale warning names the drifted
// column and its PSI, and the run inspector's Data tab carries both distributions. A resample of
// one distribution, logged the same way, is "same distribution" and never "drifted".
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MltraceApi } from '../../../src/extension';
import { Commands } from '../../../src/vscode/constants';
import type { RunInspectorPanel } from '../../../src/vscode/webviews/lineagePanels';
import { activatedWithFreshStore, type Fixture, waitFor } from '../fixtures';

/** This repository's python/ folder (the suite runs from out/test/vscode/suite). */
const SHIM = path.resolve(__dirname, '..', '..', '..', '..', 'python');

const PIPELINE = `"""Ages and cities of customers, and a model fitted on them."""
import csv
import random
import sys

from mltrace import register


def write(path, seed, mean):
    rnd = random.Random(seed)
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["age", "city"])
        for _ in range(3000):
            out.writerow([round(rnd.gauss(mean, 10)), rnd.choice(["north", "south", "east"])])


@register("walk_featurize", input_vars=[], output_vars=["out"])
def featurize(seed, mean, out):
    write(out, seed, mean)


@register("walk_fit", input_vars=["data"], output_vars=[])
def fit(data):
    ages = [float(row["age"]) for row in csv.DictReader(open(data))]
    return sum(ages) / len(ages)


@register("walk_resample", input_vars=[], output_vars=["out"])
def resample(seed, out):
    write(out, seed, 40)


@register("walk_fit_resampled", input_vars=["data", "notes"], output_vars=[])
def fit_resampled(data, notes):
    return len(list(csv.DictReader(open(data)))), open(notes).read()


if __name__ == "__main__":
    step = sys.argv[1]
    if step == "featurize":
        featurize(int(sys.argv[2]), float(sys.argv[3]), "data/walk.csv")
    elif step == "fit":
        fit("data/walk.csv")
    elif step == "resample":
        resample(int(sys.argv[2]), "data/resample.csv")
    elif step == "fit_resampled":
        fit_resampled("data/resample.csv", "data/notes.txt")
`;

/** The 1-based line of a function's `def` in PIPELINE (Problems shows a run on its function). */
const defLine = (name: string) => PIPELINE.split('\n').findIndex((l) => l.startsWith(`def ${name}(`)) + 1;

suite('drift, walked through from a Python pipeline', () => {
  let api: MltraceApi;
  let fixture: Fixture;

  /** Runs a step of the pipeline; asynchronously, so that the extension host stays responsive. */
  const python = (...args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PYTHONPATH: SHIM,
        PYTHONDONTWRITEBYTECODE: '1',
        MLTRACE_DIR: path.join(fixture.root, '.mltrace'),
      };
      delete env.MLTRACE_NAMESPACE;
      execFile(
        'python3',
        ['pipeline_walk.py', ...args],
        { cwd: fixture.root, env },
        (error, _stdout, stderr) => {
          if (error)
            reject(new Error(`python3 pipeline_walk.py ${args.join(' ')}: ${error.message} ${stderr}`));
          else if (/mltrace/i.test(stderr)) reject(new Error(`the shim warned: ${stderr}`));
          else resolve();
        },
      );
    });

  suiteSetup(async function () {
    this.timeout(90_000);
    assert.ok(fs.existsSync(path.join(SHIM, 'mltrace', '__init__.py')), `the shim at ${SHIM}`);
    ({ api, fixture } = await activatedWithFreshStore('drift-walkthrough'));
    fs.writeFileSync(path.join(fixture.root, 'pipeline_walk.py'), PIPELINE);
    fs.mkdirSync(path.join(fixture.root, 'data'), { recursive: true });
    fs.writeFileSync(path.join(fixture.root, 'data', 'notes.txt'), 'Ages from the spring survey.\n');
    // Day 1: ages around 40; the model is fitted on them. Then the ages move to around 55.
    await python('featurize', '1', '40');
    await python('fit');
    await python('featurize', '2', '55');
    // The same, with a second sample of the same ages: no drift.
    await python('resample', '3');
    await python('fit_resampled');
    await python('resample', '4');
    api.service.refresh();
    assert.ok(api.service.store!.hasPointer('data/walk.csv'), 'the events were read');
  });

  suiteTeardown(async () => {
    await fixture?.dispose();
  });

  const warning = (what: string, test: (d: vscode.Diagnostic) => boolean) =>
    waitFor(
      () =>
        `${what} in Problems; pipeline_walk.py has: ${vscode.languages
          .getDiagnostics(fixture.uri('pipeline_walk.py'))
          .map((d) => d.message)
          .join(' | ')}`,
      () =>
        vscode.languages
          .getDiagnostics(fixture.uri('pipeline_walk.py'))
          .find((d) => d.source === 'mltrace' && test(d)),
      15_000,
    );

  test('Problems: the fitted run is stale, its input drifted, naming the column and its PSI', async () => {
    const stale = await warning('the drift warning of walk_fit', (d) => d.message.includes('data/walk.csv'));
    assert.match(
      stale.message,
      /Input data\/walk\.csv \(last written by walk_featurize \(run [0-9a-f]{8}\)\) changed since this run read it and drifted: age PSI (\d+\.\d\d)\./,
    );
    const psi = Number(/age PSI (\d+\.\d\d)/.exec(stale.message)![1]);
    assert.ok(psi >= 0.2, `a shift of 1.5 standard deviations is far past the threshold (PSI ${psi})`);
    assert.doesNotMatch(stale.message, /city/, 'the cities did not move');
    assert.equal(stale.range.start.line, defLine('fit') - 1, 'on the line of fit()');
  });

  test('Problems: a resample of the same distribution is "same distribution", never "drifted"', async () => {
    const same = await warning('the warning of walk_fit_resampled', (d) =>
      d.message.includes('data/resample.csv'),
    );
    assert.match(
      same.message,
      /Input data\/resample\.csv .*changed since this run read it; same distribution \(largest PSI 0\.0\d\)\./,
    );
    assert.doesNotMatch(same.message, /drifted/);
    assert.equal(same.range.start.line, defLine('fit_resampled') - 1);
  });

  test("the run inspector's Data tab: the version fit read against the latest, both profiles per column", async () => {
    const run = api.service.store!.history('walk_fit', { limit: 1 })[0];
    const inspector = await vscode.commands.executeCommand<RunInspectorPanel>(Commands.inspect, run.id);
    const data = await inspector.currentData();
    assert.deepEqual(
      data.drift.map((d) => [d.pointer, d.comparison?.verdict ?? d.note]),
      [['data/walk.csv', 'drifted']],
    );
    const comparison = data.drift[0].comparison!;
    assert.match(comparison.reference.how, /^the version walk_fit \(run [0-9a-f]{8}\) read$/);
    assert.equal(comparison.current.how, 'the latest logged version');
    assert.equal(comparison.current.run?.component, 'walk_featurize');
    assert.deepEqual(
      comparison.columns.map((c) => [c.name, c.status, c.bins]),
      [
        ['age', 'drifted', 'quantiles'],
        ['city', 'same', 'top values'],
      ],
    );
    const age = comparison.columns[0];
    assert.equal(age.reference?.quantiles?.length, 21);
    assert.equal(age.current?.quantiles?.length, 21);
    assert.ok(age.current!.quantiles![10] - age.reference!.quantiles![10] >= 10, 'the median moved by ~15');
    assert.equal(comparison.reference.rows, 3000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the Data tab of the resampled run: same distribution, and one line for the input without a profile', async () => {
    const run = api.service.store!.history('walk_fit_resampled', { limit: 1 })[0];
    const inspector = await vscode.commands.executeCommand<RunInspectorPanel>(Commands.inspect, run.id);
    const data = await inspector.currentData();
    assert.deepEqual(
      data.drift.map((d) => [d.pointer, d.comparison?.verdict ?? d.note]),
      [
        ['data/notes.txt', 'no profile recorded for data/notes.txt'],
        ['data/resample.csv', 'same'],
      ],
    );
    assert.ok(data.drift[1].comparison!.columns.every((c) => c.status === 'same'));
    // A run that read nothing has nothing to compare; one whose input has not changed says so.
    const writer = api.service.store!.history('walk_featurize', { limit: 1 })[0];
    assert.deepEqual(
      (
        await (
          await vscode.commands.executeCommand<RunInspectorPanel>(Commands.inspect, writer.id)
        ).currentData()
      ).drift,
      [],
    );
    const train = api.service.store!.history('train', { limit: 1 })[0];
    const trained = await (
      await vscode.commands.executeCommand<RunInspectorPanel>(Commands.inspect, train.id)
    ).currentData();
    assert.deepEqual(
      trained.drift.map((d) => d.note),
      [`data/features.csv has not changed since train (run ${train.id.slice(0, 8)}) read it`],
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
