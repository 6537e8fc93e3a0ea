// Mocha entry point, loaded by the extension host through extensionTestsPath (the contract of
// @vscode/test-electron: export run(), reject on failure). mocha 11: 12 is ESM-only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30_000, reporter: 'spec' });
  // While working on one suite: MLTRACE_TEST_GREP="team store" npm run test:vscode -- --trusted
  if (process.env.MLTRACE_TEST_GREP) mocha.grep(process.env.MLTRACE_TEST_GREP);
  // Restricted Mode (an untrusted folder) is a separate run of the suite, with its own tests.
  const restricted = process.env.MLTRACE_TEST_MODE === 'restricted';
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js') && (file === 'restricted.test.js') === restricted)
      mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const passed = runner.stats?.passes ?? 0;
      const result = { passed, failed: failures, pending: runner.stats?.pending ?? 0 };
      // The launcher reads the counts from this file (code-server's runner), and from the log line otherwise.
      if (process.env.MLTRACE_TEST_RESULT)
        fs.writeFileSync(process.env.MLTRACE_TEST_RESULT, JSON.stringify(result));
      console.log(`mltrace extension-host suite: ${passed} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} tests failed.`));
      else resolve();
    });
  });
}
