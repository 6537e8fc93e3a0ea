// Long output written as a reader takes it. A pipe's reader (`mltrace trace … | jq`, a script)
// takes text more slowly than a trace makes it: Node keeps what the pipe cannot take yet in the
// stream, so a trace written in one synchronous loop held all of its text (33 MB at 50,000 runs)
// until the end, and its collector copied it around meanwhile.

/**
 * Writes `text` to `out`, then, when the stream holds more than it wants to (a full pipe), waits
 * until it has passed it on, or has closed or failed (a reader that stopped early: the rest of the
 * output goes nowhere, as main.ts's error handler says).
 */
export async function writeOut(text: string, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (isDone(out) || out.write(text) || isDone(out)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      for (const event of ['drain', 'close', 'error']) out.off(event, done);
      resolve();
    };
    for (const event of ['drain', 'close', 'error']) out.once(event, done);
  });
}

const isDone = (out: NodeJS.WritableStream) => (out as { destroyed?: boolean }).destroyed === true;
