// What automatic refresh costs with 1,000 segments at the default interval: CPU of the extension
// host (process.cpuUsage) and of the agent (/proc/<pid>/stat utime+stime), over a window with
// the view visible, minus the rate of a baseline with the view visible and automatic refresh
// off (the host also runs the test runner and VS Code's own work). Prints the figures; fails only on a gross regression.
// SHM_INSPECTOR_CPU_SECONDS (default 20) sets the measured window; the baseline is half of it.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { AgentClient } from '../../../src/extension/agent/client';
import { type SegmentInfo, identityOf } from '../../../src/protocol/segment';
import type { ShmInspectorApi } from '../../../src/extension/extension';
import { EXTENSION_ID, REPO, present } from './common';

const COUNT = 1000;
const SECONDS = Number(process.env.SHM_INSPECTOR_CPU_SECONDS) || 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** CPU ms (user+system) of a process from /proc/<pid>/stat. */
function procCpuMs(pid: number, hz: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / hz; // #14 utime, #15 stime
}

function hostCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Sample { hostMs: number; agentMs: number; wallMs: number; refreshes: number; rootEvents: number; rowEvents: number }

const agentPid = (api: ShmInspectorApi) => present(api.agent.pid, 'the extension\'s agent (pid)');

async function sample(api: ShmInspectorApi, hz: number, seconds: number): Promise<Sample> {
  let refreshes = 0, rootEvents = 0, rowEvents = 0;
  const sub = api.segmentsProvider.onDidUpdate(() => refreshes++);
  const sub2 = api.segmentsProvider.onDidChangeTreeData((e) => (e === undefined ? rootEvents++ : rowEvents++));
  const pid = agentPid(api);
  const h0 = hostCpuMs(), a0 = procCpuMs(pid, hz), t0 = Date.now();
  await sleep(seconds * 1000);
  const h1 = hostCpuMs(), a1 = procCpuMs(pid, hz), t1 = Date.now();
  sub.dispose();
  sub2.dispose();
  assert.strictEqual(api.agent.pid, pid, 'the agent was not restarted during the sample');
  return { hostMs: h1 - h0, agentMs: a1 - a0, wallMs: t1 - t0, refreshes, rootEvents, rowEvents };
}

const pct = (ms: number, wallMs: number) => `${((ms / wallMs) * 100).toFixed(2)}%`;

describe('segments view: cost of automatic refresh', function () {
  this.timeout((SECONDS * 3 + 120) * 1000);
  let api: ShmInspectorApi;
  const other = new AgentClient({ agentPath: path.join(REPO, 'dist', 'agent.js'), timeoutMs: 60000 }); // starts at the first request
  const made: SegmentInfo[] = [];

  before(async () => {
    const ext = present(vscode.extensions.getExtension(EXTENSION_ID), `extension ${EXTENSION_ID}`);
    api = (await ext.activate()) as ShmInspectorApi;
    const limits = await other.request('limits', {});
    assert.ok(limits.shmmni - limits.usedIds > COUNT + 50, `room for ${COUNT} segments (SHMMNI ${limits.shmmni}, ${limits.usedIds} used)`);
    for (let i = 0; i < COUNT; i++) made.push(await other.request('create', { size: 4096 })); // private: no key clashes
  });

  after(async () => {
    for (const info of made) await other.request('destroy', { expect: identityOf(info) }).catch(() => undefined);
    other.dispose();
    await vscode.workspace.getConfiguration('shmInspector').update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
  });

  it(`host + agent CPU with ${COUNT} segments at the default interval`, async () => {
    const hz = clockTicks();
    const interval = vscode.workspace.getConfiguration('shmInspector').get<number>('refreshInterval');
    assert.strictEqual(interval, 2000, 'the default interval');

    // One refresh by hand: every row listed, and its wall time.
    const t0 = Date.now();
    assert.ok(await api.segmentsProvider.refresh(), api.segmentsProvider.lastError);
    const oneRefreshMs = Date.now() - t0;
    const listed = new Set(api.segmentsProvider.segments().map((s) => s.id));
    assert.ok(made.every((m) => listed.has(m.id)), 'all test segments listed');
    const timings: number[] = [];
    const hostCpu: number[] = [];
    const agentCpu: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = process.hrtime.bigint(), h = hostCpuMs(), a = procCpuMs(agentPid(api), hz);
      await api.segmentsProvider.refresh();
      timings.push(Number(process.hrtime.bigint() - t) / 1e6);
      hostCpu.push(hostCpuMs() - h);
      agentCpu.push(procCpuMs(agentPid(api), hz) - a);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

    // Baseline: the view visible with automatic refresh off (interval 0); then the default.
    const config = vscode.workspace.getConfiguration('shmInspector');
    await vscode.commands.executeCommand('workbench.view.extension.shmInspector');
    await config.update('refreshInterval', 0, vscode.ConfigurationTarget.Global);
    await sleep(1500);
    assert.ok(api.segmentsView.treeView.visible, 'the view is visible');
    assert.strictEqual(api.segmentsView.scheduler.armed, false);
    const base = await sample(api, hz, SECONDS / 2);

    // Paired: 2 s slots, alternately one refresh + idle and idle only (automatic refresh off),
    // so drift in the host's other work cancels out; includes deferred costs such as GC.
    const paired = { withMs: 0, withoutMs: 0, agentMs: 0, slots: 0 };
    for (let i = 0; i < Math.max(4, SECONDS / 2); i++) {
      const h = hostCpuMs(), a = procCpuMs(agentPid(api), hz), t = Date.now();
      if (i % 2 === 0) await api.segmentsProvider.refresh();
      await sleep(2000 - (Date.now() - t));
      const dh = hostCpuMs() - h, da = procCpuMs(agentPid(api), hz) - a;
      if (i % 2 === 0) { paired.withMs += dh; paired.agentMs += da; paired.slots++; } else paired.withoutMs += dh;
    }

    // Measured: the same, refreshing every 2 s (the default).
    await config.update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
    await sleep(2500);
    assert.ok(api.segmentsView.scheduler.armed, 'automatic refresh is on');
    const run = await sample(api, hz, SECONDS);

    const hostRate = run.hostMs / run.wallMs - base.hostMs / base.wallMs;
    const agentRate = run.agentMs / run.wallMs - base.agentMs / base.wallMs;
    const lines = [
      `auto-refresh cost with ${listed.size} segments listed (${COUNT} made by the test), interval ${interval} ms:`,
      `  one refresh (list + limits, diff, events): first ${oneRefreshMs} ms, then median ${median(timings).toFixed(1)} ms wall, ` +
        `host ${median(hostCpu).toFixed(1)} ms CPU, agent ${median(agentCpu).toFixed(0)} ms CPU (${1000 / hz} ms ticks)`,
      `  visible ${(run.wallMs / 1000).toFixed(1)} s: ${run.refreshes} refreshes (whole tree re-read ${run.rootEvents}×, changed rows ${run.rowEvents}×: other work on this host adds and removes segments); host ${run.hostMs.toFixed(0)} ms CPU (${pct(run.hostMs, run.wallMs)}), agent ${run.agentMs.toFixed(0)} ms CPU (${pct(run.agentMs, run.wallMs)})`,
      `  baseline ${(base.wallMs / 1000).toFixed(1)} s (visible, refresh off): ${base.refreshes} refreshes; host ${base.hostMs.toFixed(0)} ms (${pct(base.hostMs, base.wallMs)}), agent ${base.agentMs.toFixed(0)} ms (${pct(base.agentMs, base.wallMs)})`,
      `  => auto-refresh costs host ${(hostRate * 100).toFixed(2)}% + agent ${(agentRate * 100).toFixed(2)}% of one core` +
        ` (${run.refreshes ? ((run.hostMs + run.agentMs - (base.hostMs / base.wallMs + base.agentMs / base.wallMs) * run.wallMs) / run.refreshes).toFixed(1) : '?'} ms CPU per refresh)`,
    ];
    lines.push(`  paired 2 s slots (${paired.slots} with one refresh, ${paired.slots} without): host ${((paired.withMs - paired.withoutMs) / paired.slots).toFixed(1)} ms ` +
      `and agent ${(paired.agentMs / paired.slots).toFixed(0)} ms CPU per refresh => ${(((paired.withMs - paired.withoutMs) / paired.slots / 2000) * 100).toFixed(2)}% + ${((paired.agentMs / paired.slots / 2000) * 100).toFixed(2)}% of one core at 2 s`);
    for (const l of lines) console.log(l);
    assert.ok(run.refreshes >= Math.floor((SECONDS * 1000) / 2000) - 2, `refreshed about every 2 s (${run.refreshes} in ${SECONDS} s)`);
    assert.strictEqual(base.refreshes, 0, 'no refresh with interval 0');
    assert.ok(hostRate + agentRate < 0.25, `auto-refresh stays under a quarter of a core (${((hostRate + agentRate) * 100).toFixed(1)}%)`);
  });
});
