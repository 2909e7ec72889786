// The watch view's host-side pieces that need no VS Code: its HTML (nonce, CSP), the validators
// of every request the webview sends, and the trigger rule.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderWatchViewHtml, watchViewCsp } from '../../src/extension/timeline/watchHtml';
import {
  checkExportCsv, checkSeek, checkSetPaused, checkSetRate, checkSetTrigger, checkWatchId, checkWatchNoParams,
} from '../../src/extension/timeline/watchValidate';
import { triggerFires } from '../../src/timeline/trigger';

const NONCE = 'q3+/Zk1Y2mBv0aXcD4eF5g==';
const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

describe('watch view HTML', () => {
  const html = renderWatchViewHtml({ scriptUri: 'https://x/dist/watchView.js?a=1&b="2"', styleUri: 'https://x/media/watchView.css', cspSource: CSP_SOURCE, nonce: NONCE });

  it('allows only its own script (by nonce) and stylesheet: no inline code, no other source', () => {
    const csp = `default-src 'none'; style-src ${CSP_SOURCE}; script-src 'nonce-${NONCE}'; font-src ${CSP_SOURCE};`;
    assert.equal(watchViewCsp(CSP_SOURCE, NONCE), csp);
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${csp}">`), html);
    assert.equal([...html.matchAll(/<script\b/g)].length, 1);
    assert.ok(html.includes(`<script nonce="${NONCE}" src="https://x/dist/watchView.js?a=1&amp;b=&quot;2&quot;"></script>`), 'the script URI is escaped');
    assert.ok(html.includes('<link rel="stylesheet" href="https://x/media/watchView.css">'));
    assert.doesNotMatch(html, /\sstyle=|<style|unsafe-|\son[a-z]+=/i);
    assert.match(html, /<main id="root" class="watch-root" aria-busy="true" aria-label="Watched values over time">/);
  });

  it("takes VS Code's cspSource as it is: host sources and 'self'", () => {
    const cspSource = "'self' https://*.vscode-cdn.net"; // code-server 1.139's webview.cspSource
    assert.match(renderWatchViewHtml({ scriptUri: 's', styleUri: 'c', cspSource, nonce: NONCE }), /style-src 'self' https:\/\/\*\.vscode-cdn\.net;/);
  });

  it('refuses a weak nonce or a cspSource that could widen the policy', () => {
    const o = { scriptUri: 's', styleUri: 'c', cspSource: CSP_SOURCE, nonce: NONCE };
    for (const nonce of ['', 'short', 'abc"def<ghi>jklmnop', 'a'.repeat(15)]) {
      assert.throws(() => renderWatchViewHtml({ ...o, nonce }), /nonce must be at least 16 base64 characters/);
    }
    for (const cspSource of ['', "'unsafe-inline'", "'self' 'unsafe-eval'", 'https://x; script-src *', 'a b', '*', 'https://x  https://y', 'x"><script>']) {
      assert.throws(() => renderWatchViewHtml({ ...o, cspSource }), /unexpected characters in cspSource/);
    }
  });
});

describe('watch view requests are checked', () => {
  const known = new Set([1, 7]);

  it('setRate: whole Hz from 1 to 1000', () => {
    assert.deepEqual(checkSetRate({ hz: 1 }), { hz: 1 });
    assert.deepEqual(checkSetRate({ hz: 1000 }), { hz: 1000 });
    for (const hz of [0, 1001, 2.5, -1, Number.NaN, Infinity, '10', null]) {
      assert.throws(() => checkSetRate({ hz }), /^InvalidRequest: setRate: hz must be a whole number from 1 to 1000/, String(hz));
    }
    assert.throws(() => checkSetRate(null), /params must be an object/);
    assert.throws(() => checkSetRate([10]), /params must be an object/);
  });

  it('setPaused: a boolean', () => {
    assert.deepEqual(checkSetPaused({ paused: true }), { paused: true });
    assert.throws(() => checkSetPaused({ paused: 'yes' }), /paused must be true or false/);
    assert.throws(() => checkSetPaused({}), /paused must be true or false/);
  });

  it('removeWatch / clearTrigger: an id the session has', () => {
    assert.deepEqual(checkWatchId('removeWatch', { id: 7 }, known), { id: 7 });
    assert.throws(() => checkWatchId('removeWatch', { id: 3 }, known), /removeWatch: no watch has id 3/);
    assert.throws(() => checkWatchId('clearTrigger', { id: -1 }, known), /clearTrigger: id must be a whole number >= 0, got -1/);
    assert.throws(() => checkWatchId('clearTrigger', { id: '1' }, known), /id must be a whole number >= 0, got string/);
  });

  it('exportCsv: optional times in order', () => {
    assert.deepEqual(checkExportCsv({}), {});
    assert.deepEqual(checkExportCsv({ from: 0, to: 2500.5 }), { from: 0, to: 2500.5 });
    assert.deepEqual(checkExportCsv({ from: 10, extra: 'ignored' }), { from: 10 });
    assert.throws(() => checkExportCsv({ from: 5, to: 1 }), /to \(1\) is before from \(5\)/);
    assert.throws(() => checkExportCsv({ from: -1 }), /from must be a time in ms >= 0, got -1/);
    assert.throws(() => checkExportCsv({ to: Infinity }), /to must be a time in ms >= 0/);
  });

  it('setTrigger: kind and action from their lists, a finite level except for "changes"', () => {
    assert.deepEqual(checkSetTrigger({ id: 1, kind: 'above', level: 100, action: 'snapshot' }, known), { id: 1, kind: 'above', level: 100, action: 'snapshot' });
    assert.deepEqual(checkSetTrigger({ id: 7, kind: 'changes', action: 'pause' }, known), { id: 7, kind: 'changes', action: 'pause' });
    assert.deepEqual(checkSetTrigger({ id: 7, kind: 'equals', level: -0.5, action: 'mark', junk: 1 }, known), { id: 7, kind: 'equals', level: -0.5, action: 'mark' });
    const bad: [unknown, RegExp][] = [
      [{ id: 2, kind: 'above', level: 1, action: 'mark' }, /no watch has id 2/],
      [{ id: 1, kind: 'over', level: 1, action: 'mark' }, /kind must be one of above, below, changes, equals/],
      [{ id: 1, kind: 'below', level: 1, action: 'explode' }, /action must be one of mark, pause, snapshot/],
      [{ id: 1, kind: 'below', action: 'mark' }, /level must be a finite number for a "below" trigger/],
      [{ id: 1, kind: 'equals', level: Number.NaN, action: 'mark' }, /level must be a finite number/],
      [{ id: 1, kind: 'above', level: '5', action: 'mark' }, /level must be a finite number/],
      [{ id: 1, kind: 'changes', level: 3, action: 'mark' }, /a "changes" trigger takes no level/],
    ];
    for (const [p, re] of bad) assert.throws(() => checkSetTrigger(p, known), re, JSON.stringify(p));
  });

  it('seek: a time >= 0; ready: an object', () => {
    assert.deepEqual(checkSeek({ t: 1234.5 }), { t: 1234.5 });
    assert.throws(() => checkSeek({ t: -3 }), /seek: t must be a time in ms >= 0, got -3/);
    assert.throws(() => checkSeek({}), /t must be a time in ms >= 0, got undefined/);
    assert.deepEqual(checkWatchNoParams('ready', { x: 1 }), {});
    assert.throws(() => checkWatchNoParams('ready', 'now'), /ready: params must be an object/);
  });
});

describe('trigger rule', () => {
  const run = (kind: 'above' | 'below' | 'changes' | 'equals', values: number[], level?: number): number[] => {
    const fired: number[] = [];
    values.forEach((v, i) => {
      if (triggerFires({ kind, level, action: 'mark' }, i ? values[i - 1] : undefined, v)) fired.push(i);
    });
    return fired;
  };

  it('fires on crossings, changes and equality, once per event', () => {
    assert.deepEqual(run('above', [40, 50, 51, 60, 49, 50, 70], 50), [2, 6]);
    assert.deepEqual(run('below', [60, 50, 49, 30, 51, 10], 50), [2, 5]);
    assert.deepEqual(run('equals', [1, 5, 5, 4, 5], 5), [1, 4]);
    assert.deepEqual(run('changes', [1, 1, 2, 2, 3, Number.NaN, Number.NaN, 3, -0, 0]), [2, 4, 5, 7, 8]);
  });

  it('ignores non-finite values as crossings and needs a previous sample', () => {
    assert.deepEqual(run('above', [Number.NaN, 100, 40, Infinity], 50), [3]);
    assert.deepEqual(run('above', [100], 50), []);
    assert.deepEqual(run('below', [100, Number.NaN, 0], 50), []);
  });
});
