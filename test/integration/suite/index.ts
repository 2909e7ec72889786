// Test entry loaded by VS Code's extension host (extensionTestsPath). It runs every
// out/test/integration/suite/**/*.test.js with mocha (BDD: describe/it) and ends with a
// plain "integration: N passed, N failed[, N skipped]" line for CI's report reader.
// Environment: SHM_INSPECTOR_GREP=<regexp> runs only matching tests.
import * as fs from 'fs';
import * as path from 'path';

// mocha 12 is an ES module; its CommonJS build loads on every Node/Electron the host may use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Mocha = require('mocha/lib/mocha.cjs') as typeof import('mocha');

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  // Plain text for logs: mocha's ✔/✖ symbols carry their own colour codes when the
  // environment looks like CI (CI=true), whatever `color` says.
  const base = (Mocha as unknown as { reporters: { Base: { useColors: boolean; symbols: Record<string, string> } } })
    .reporters.Base;
  base.useColors = false;
  base.symbols = { ...base.symbols, ok: '✔', err: '✖' };
  const grep = process.env.SHM_INSPECTOR_GREP;
  if (grep) mocha.grep(new RegExp(grep));
  const files = findTests(__dirname);
  for (const f of files) mocha.addFile(f);

  return new Promise<void>((resolve, reject) => {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    try {
      const runner = mocha.run(() => {
        const summary = `integration: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '');
        console.log(summary);
        if (files.length === 0) reject(new Error(`no *.test.js files under ${__dirname}`));
        else if (failed > 0) reject(new Error(`${failed} integration test(s) failed`));
        else resolve();
      });
      runner.on('pass', () => passed++);
      runner.on('fail', (t: { fullTitle(): string }, err: unknown) => {
        failed++; // also counts failing hooks
        // The spec reporter's epilogue does not always reach the page console: say why here.
        console.log(`FAILED: ${t.fullTitle()}: ${(err instanceof Error ? err.stack : undefined) ?? String(err)}`);
      });
      runner.on('pending', () => skipped++);
    } catch (e: unknown) {
      console.log(`integration: ${passed} passed, ${failed + 1} failed`);
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
