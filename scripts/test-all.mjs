#!/usr/bin/env node
// `npm test`: every suite, in order, each one run even if an earlier one failed, then one
// summary. A suite that cannot run here says so as skipped (with the reason), never as passed.
// Finally checks that no shared-memory segment created during the run is left behind.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

const steps = [
  { name: 'typecheck', cmd: 'npm run -s typecheck' },
  { name: 'lint', cmd: 'npm run -s lint' },
  { name: 'build', cmd: 'npm run -s build' },
  { name: 'compile', cmd: 'npm run -s compile' },
  { name: 'package', cmd: 'npm run -s package' },
  { name: 'unit', cmd: 'node scripts/run-node-tests.mjs out/test/unit', suite: true },
  { name: 'webview', cmd: 'node scripts/run-node-tests.mjs out/test/webview', suite: true },
  // From the source tree (tests can stub vscode.window: they share the extension's API object)…
  { name: 'integration', cmd: 'node test/integration/run.mjs', suite: true },
  // …and the packaged .vsix (tests that need stubs are skipped there: the VSIX has its own API object).
  { name: 'vsix', cmd: 'node test/integration/run.mjs --vsix', suite: true },
  { name: 'ui', cmd: 'node test/integration/ui.mjs', suite: true },
  { name: 'desktop', cmd: 'node test/integration/run.mjs --desktop', suite: true },
];

const only = process.argv.slice(2);

function segmentIds() {
  try {
    return new Set(fs.readFileSync('/proc/sysvipc/shm', 'latin1').split('\n').slice(1)
      .map((l) => l.trim().split(/\s+/)[1]).filter(Boolean));
  } catch {
    return new Set();
  }
}

function run(step) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('bash', ['-c', step.cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const take = (out) => (chunk) => { out.write(chunk); text += chunk.toString(); };
    child.stdout.on('data', take(process.stdout));
    child.stderr.on('data', take(process.stderr));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, text, seconds: (Date.now() - started) / 1000 }));
  });
}

/** Counts from node's test runner (`# pass N`, or `ℹ pass N` from the spec reporter) or our plain "N passed, N failed, N skipped" lines. */
function counts(text) {
  const c = { passed: 0, failed: 0, skipped: 0 };
  let found = false;
  for (const m of text.matchAll(/^(?:# |ℹ )(pass|fail|cancelled|skipped|todo) (\d+)$/gm)) {
    found = true;
    const n = Number(m[2]);
    if (m[1] === 'pass') c.passed += n; else if (m[1] === 'fail' || m[1] === 'cancelled') c.failed += n; else c.skipped += n;
  }
  if (!found) {
    for (const m of text.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm)) {
      c.passed += Number(m[1]); c.failed += Number(m[2]); c.skipped += Number(m[3] ?? 0);
    }
  }
  return c;
}

const before = segmentIds();
const results = [];
for (const step of steps) {
  if (only.length && !only.includes(step.name)) continue;
  console.log(`\n=== ${step.name}: ${step.cmd}`);
  const r = await run(step);
  const c = step.suite ? counts(r.text) : null;
  const ok = r.code === 0 && (!c || c.failed === 0);
  results.push({ name: step.name, ok, code: r.code, seconds: r.seconds, counts: c });
}

const leftover = [...segmentIds()].filter((id) => !before.has(id));
console.log('\n=== summary');
const total = { passed: 0, failed: 0, skipped: 0 };
for (const r of results) {
  const c = r.counts;
  if (c) { total.passed += c.passed; total.failed += c.failed; total.skipped += c.skipped; }
  const detail = c ? `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped` : r.ok ? 'ok' : `exit ${r.code}`;
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(12)} ${detail} (${r.seconds.toFixed(1)} s)`);
}
if (leftover.length) console.log(`FAIL segments left behind by the tests: ${leftover.join(', ')} (ipcs -m)`);
const failedSteps = results.filter((r) => !r.ok).length + (leftover.length ? 1 : 0);
// A step that failed without a failing test to show for it (build error, crash) counts as one failure.
total.failed += results.filter((r) => !r.ok && !(r.counts?.failed > 0)).length + (leftover.length ? 1 : 0);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(failedSteps ? 1 : 0);
