// watch, record, replay: values over time, a segment recorded at a fixed rate, and any moment
// of a recording read back. Sampling is src/timeline's Sampler over a read-only attachment;
// Ctrl+C (SIGINT/SIGTERM) ends watch and record cleanly (exit 0, a summary on stderr).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Segment } from '../../core';
import { SHM_DEST } from '../../core/layout';
import { statRaw } from '../../core/listing';
import { loadLayouts } from '../../ctypes';
import { CValueError, decodeLeaf, formatValue, leafSpan, resolvePath } from '../../protocol/cValues';
import { DEFAULT_BUDGET, MAX_RANGE, Recorder, Recording, RecordingError, type EndReason, type FrameInfo } from '../../timeline/recording';
import { MAX_HZ, MIN_HZ, type Sample, Sampler, type SamplerStats, type SeqField, tornText } from '../../timeline/sampler';
import { SCALAR_NAMES, decodeScalar, formatScalar, parseScalarType } from '../../timeline/scalar';
import { type Watch, WatchSet, coveringRange } from '../../timeline/watch';
import { type OptionSpec, type Parsed, UsageError } from '../args';
import { type Command, type Context, ID_ARG, JSON_OPTION, KEY_TARGET, NUMBERS_NOTE, PROG, lengthOption, offsetOption, openAttached, targetId, writeJson } from '../command';
import { humanSize } from '../format';
import { HexDumper } from '../hexdump';
import { parseInteger, parseSize } from '../values';
import { C_BUILD_OPTIONS, C_TYPE_OPTION, cLoadOptions } from './cOptions';

// --- shared options -------------------------------------------------------------------------------

const HZ_OPTION: OptionSpec = {
  name: 'hz', value: 'N', parse: (t, o) => parseInteger(t, o, MIN_HZ, MAX_HZ), help: `samples per second, ${MIN_HZ} to ${MAX_HZ} (default 10)`,
};

/** Seconds: `5`, `2.5`, or with a unit: `500ms`, `30s`, `2m`, `1h`. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(text.trim());
  const unit = { ms: 1e-3, s: 1, m: 60, h: 3600 }[(m?.[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm' | 'h'];
  const v = m ? Number(m[1]) * unit : NaN;
  if (!(v > 0) || v > 365 * 86400) throw new UsageError(`${what}: '${text}' is not a duration (seconds, e.g. 10, 2.5, 500ms, 2m)`);
  return v;
}

const DURATION_OPTION: OptionSpec = {
  name: 'duration', short: 'd', value: 'S', parse: (t, o) => parseDuration(t, o), help: 'stop after S seconds (500ms, 2m also work; default: until Ctrl+C)',
};

/** `--seq OFFSET[:4|8]`: a seqlock counter (odd while written): torn samples are read again. */
function parseSeq(text: string, what: string): SeqField {
  const m = /^(.+?)(?::(4|8))?$/.exec(text.trim());
  if (!m) throw new UsageError(`${what}: '${text}' is not OFFSET or OFFSET:4 or OFFSET:8`);
  return { offset: parseSize(m[1], what), size: m[2] === '8' ? 8 : 4 };
}

const SEQ_OPTION: OptionSpec = {
  name: 'seq', value: 'OFFSET[:4|8]', parse: (t, o) => parseSeq(t, o),
  help: 'a sequence counter (seqlock: odd while a writer is active) of 4 (default) or 8 bytes, little-endian',
};

const SEQ_DETAILS =
  'With --seq, the counter is read before and after each sample: a sample during which it\n' +
  'changed or was odd is read again (up to 4 times), then dropped; the summary counts both.\n';

// --- running until a duration, Ctrl+C or the end of the segment --------------------------------------

interface RunResult {
  reason: EndReason;
  message?: string;
  stats: SamplerStats;
}

/**
 * Samples [offset, offset+length) of seg until the duration, Ctrl+C, the segment being destroyed
 * or a read error. onSamples runs synchronously per batch; its output goes through `out`.
 */
async function sampleUntilDone(seg: Segment, opts: { offset: number; length: number; hz: number; seq?: SeqField; durationS?: number },
  onSamples: (samples: Sample[], started: { monoNs: bigint; wallMs: number }) => void, control: { stop?: () => void } = {}): Promise<RunResult> {
  if (opts.seq && opts.seq.offset + opts.seq.size > seg.size) {
    throw new RangeError(`--seq: the counter at ${opts.seq.offset} (${opts.seq.size} bytes) is past the end of segment ${seg.id} (${seg.size} bytes)`);
  }
  return new Promise<RunResult>((resolve, reject) => {
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (reason: EndReason, message?: string, err?: Error) => {
      if (finished) return;
      finished = true;
      sampler.stop();
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (err !== undefined) reject(err);
      else resolve({ reason, message, stats: sampler.stats });
    };
    const onSignal = () => { finish('stopped'); };
    control.stop = onSignal;
    const sampler = new Sampler({
      read: (off, len, into) => { seg.readInto(into, off, len); },
      offset: opts.offset, length: opts.length, hz: opts.hz, seq: opts.seq,
      onBatch: (samples) => {
        try {
          onSamples(samples, sampler.started);
        } catch (err) {
          finish('error', undefined, toError(err));
          return;
        }
        // Our attachment keeps a destroyed segment's memory: its SHM_DEST bit says it is gone.
        let gone: string | undefined;
        try {
          if (statRaw(seg.id).mode & SHM_DEST) gone = `segment ${seg.id} was destroyed`;
        } catch {
          gone = `segment ${seg.id} is gone`;
        }
        if (gone) finish('destroyed', gone);
      },
      onError: (err) => { finish('error', toError(err).message); },
    });
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      sampler.start();
    } catch (err) {
      finish('error', undefined, toError(err));
      return;
    }
    if (opts.durationS !== undefined && sampler.running) timer = setTimeout(() => { finish('duration'); }, opts.durationS * 1000);
  });
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(typeof err === 'string' ? err : 'unexpected failure');
}

/** Writes queued in order; the first failure is kept and thrown by done(). */
class OutputQueue {
  private chain: Promise<void> = Promise.resolve();
  private failed: Error | undefined;
  constructor(private readonly write: (text: string) => Promise<void>, private readonly onFail: () => void) {}
  push(text: string): void {
    if (!text || this.failed !== undefined) return;
    this.chain = this.chain.then(() => this.write(text)).catch((err: unknown) => {
      if (this.failed === undefined) { this.failed = toError(err); this.onFail(); }
    });
  }
  async done(): Promise<void> {
    await this.chain;
    if (this.failed !== undefined) throw this.failed;
  }
}

function summary(what: string, r: RunResult, extra = ''): string {
  const s = r.stats;
  const parts = [`${s.samples} sample${s.samples === 1 ? '' : 's'}`];
  if (s.lateTicks) parts.push(`${s.lateTicks} late tick${s.lateTicks === 1 ? '' : 's'} skipped`);
  if (s.retries || s.giveUps) parts.push(tornText(s.retries, s.giveUps));
  const why = r.reason === 'duration' ? 'duration reached' : r.reason === 'stopped' ? 'stopped' : r.message ?? r.reason;
  return `${PROG}: ${what}: ${parts.join(', ')}${extra} (${why})\n`;
}

const msSince = (s: Sample, started: { monoNs: bigint }) => (Number(s.monoNs - started.monoNs) / 1e6).toFixed(3);

// --- watch ------------------------------------------------------------------------------------

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The watches of the command line: --offset/--as pairs, then --field paths of --header/--type. */
async function watchesOf(p: Parsed, size: number, id: number): Promise<Watch[]> {
  const o = p.options;
  const offsets = (o.offset as number[] | undefined) ?? [];
  const types = (o.as as string[] | undefined) ?? [];
  const fields = (o.field as string[] | undefined) ?? [];
  if (offsets.length !== types.length) throw new UsageError(`watch: give one --as TYPE for each --offset (${offsets.length} --offset, ${types.length} --as)`, 'watch');
  const watches: Watch[] = offsets.map((offset, i) => {
    const t = parseScalarType(types[i]);
    if (!t) throw new UsageError(`watch: --as '${types[i]}' is not a type (${SCALAR_NAMES})`, 'watch');
    return { name: `0x${offset.toString(16)}:${t.name}`, offset, size: t.size, format: (view, at) => formatScalar(t, decodeScalar(t, view, at)) };
  });
  const typed = o.header !== undefined || o.type !== undefined;
  if (fields.length && !typed) throw new UsageError('watch: --field needs --header FILE --type NAME', 'watch');
  if (typed && (o.header === undefined || o.type === undefined)) throw new UsageError(`watch: ${o.header === undefined ? '--type needs --header FILE' : '--header needs --type NAME'}`, 'watch');
  if (typed && !fields.length) throw new UsageError('watch: --header needs at least one --field PATH', 'watch');
  if (!typed && o.at !== undefined) throw new UsageError('watch: --at needs --header FILE --type NAME', 'watch');
  if (typed) {
    const layouts = await loadLayouts(o.header as string, cLoadOptions(p));
    const type = layouts.lookup((o.type as string).trim());
    const at = (o.at as number | undefined) ?? 0;
    for (const f of fields) {
      let leaf;
      try {
        leaf = resolvePath(type, f);
      } catch (err) {
        if (err instanceof CValueError) throw new UsageError(`watch: ${err.message}`, 'watch');
        throw err;
      }
      // The leaf re-based on its own first byte, so it decodes from any view holding those bytes.
      const span = leafSpan(leaf);
      const own = { ...leaf, offset: leaf.offset - span.offset, ...(leaf.bitOffset !== undefined ? { bitOffset: leaf.bitOffset - span.offset * 8 } : {}) };
      watches.push({ name: leaf.path || f, offset: at + span.offset, size: span.size, format: (view, base) => formatValue(own, decodeLeaf(view, base, own)) });
    }
  }
  if (!watches.length) throw new UsageError('watch: nothing to watch: give --offset O --as TYPE, or --header FILE --type NAME --field PATH', 'watch');
  for (const w of watches) {
    if (w.offset + w.size > size) throw new RangeError(`watch: ${w.name} (${w.size} bytes at ${w.offset}) is past the end of segment ${id} (${size} bytes)`);
  }
  return watches;
}

export const watch: Command = {
  name: 'watch',
  summary: 'Sample values of a segment at a fixed rate and print them when they change.',
  usage: [
    '<id> (--offset O --as TYPE)... [--hz N] [--duration S] [--csv] [--every] [--seq OFFSET[:4|8]]',
    '<id> --header FILE --type NAME [--at OFFSET] --field PATH... [--hz N] [--duration S] [--csv] [--every]',
  ],
  args: [ID_ARG],
  options: [
    { ...offsetOption('a value at this byte offset (repeatable, each with its --as)'), list: true },
    { name: 'as', value: 'TYPE', list: true, help: `the type of the value at the matching --offset: ${SCALAR_NAMES}` },
    { name: 'header', value: 'FILE', help: 'a C header declaring the type of --field' },
    C_TYPE_OPTION,
    { name: 'at', value: 'OFFSET', parse: (t, o) => parseSize(t, o), help: 'the type starts at this byte offset (default 0)' },
    { name: 'field', value: 'PATH', list: true, help: 'a field of --type to watch (repeatable): hdr.seq, items[2].id' },
    ...C_BUILD_OPTIONS,
    HZ_OPTION, DURATION_OPTION,
    { name: 'csv', help: 'CSV: a header t_ms,<watch names>, then one row per line printed' },
    { name: 'every', help: 'a line for every sample, not only when a value changed' },
    SEQ_OPTION, KEY_TARGET,
  ],
  details:
    'Prints the values at the first sample, then a line for each sample where one changed:\n' +
    '  T_MS  NAME=VALUE ...   (T_MS: ms since the first sample, monotonic clock)\n' +
    'Watches by offset are named OFFSET:TYPE (0x10:u32); fields by their path. All watches are\n' +
    'read in one sample (the smallest range holding them). Ctrl+C or --duration ends it (exit 0)\n' +
    'with a summary on stderr; so does the segment being destroyed. Attaches read-only.\n' +
    SEQ_DETAILS + NUMBERS_NOTE,
  async run(p, ctx) {
    const id = targetId(p, 'watch');
    const seg = openAttached(id, true);
    try {
      const watches = await watchesOf(p, seg.size, id);
      const range = coveringRange(watches);
      const set = new WatchSet(watches, range.offset, range.length);
      const csv = !!p.options.csv;
      const every = !!p.options.every;
      const control: { stop?: () => void } = {};
      // A closed stdout (`| head`) ends the watch: the queued write's BrokenPipe is thrown below.
      const out = new OutputQueue((t) => ctx.io.stdout.write(t), () => { control.stop?.(); });
      if (csv) out.push(['t_ms', ...watches.map((w) => w.name)].map(csvField).join(',') + '\n');
      const pending = sampleUntilDone(seg, { ...range, hz: (p.options.hz as number | undefined) ?? 10, seq: p.options.seq as SeqField | undefined, durationS: p.options.duration as number | undefined },
        (samples, started) => {
          let text = '';
          for (const s of samples) {
            if (!set.update(s.spans) && !every) continue;
            const t = msSince(s, started);
            text += csv ? [t, ...set.values].map(csvField).join(',') + '\n'
              : `${t.padStart(10)}  ${watches.map((w, i) => `${w.name}=${set.values[i]}`).join('  ')}\n`;
          }
          out.push(text);
        }, control);
      const r = await pending;
      await out.done();
      if (r.reason === 'error') throw new Error(r.message ?? 'sampling failed');
      await ctx.io.stderr.write(summary('watch', r));
    } finally {
      seg.detach();
    }
    return 0;
  },
};

// --- record -------------------------------------------------------------------------------------

export const record: Command = {
  name: 'record',
  summary: 'Record a segment (or a range) at a fixed rate into a file, for replay.',
  usage: ['<id> [--offset O --length L] [--hz N] [--duration S] [--budget SIZE] [--seq OFFSET[:4|8]] -o FILE'],
  args: [ID_ARG],
  options: [
    // -o is the output file here (as in cc, curl), so --offset has no short form.
    { ...offsetOption('record from this byte offset (default 0)'), short: undefined }, lengthOption('this many bytes (default: to the end of the segment)'),
    HZ_OPTION, DURATION_OPTION,
    { name: 'budget', short: 'b', value: 'SIZE', parse: (t, o) => parseSize(t, o), help: `most bytes the recording keeps (default ${humanSize(DEFAULT_BUDGET)}); the oldest go first` },
    { name: 'output', short: 'o', value: 'FILE', help: 'the recording file (written when recording ends; mode 0600)' },
    SEQ_OPTION, KEY_TARGET,
  ],
  details:
    'Samples the range until --duration, Ctrl+C, or the segment being destroyed; then writes the\n' +
    'file (a temporary file renamed over FILE when whole) and prints frames, changed bytes and\n' +
    'the file\'s size. Keeps a compressed keyframe of the whole range every 1000 frames (or when\n' +
    'the changes since add up to half the range) and the changed bytes of every other frame;\n' +
    'past --budget the oldest keyframe and its frames are dropped. Attaches read-only.\n' +
    'The format is in README.md, "Recording file format". ' + SEQ_DETAILS + NUMBERS_NOTE,
  async run(p, ctx) {
    const o = p.options;
    const file = o.output as string | undefined;
    if (file === undefined) throw new UsageError('record: missing -o FILE (where the recording goes)', 'record');
    const budget = (o.budget as number | undefined) ?? DEFAULT_BUDGET;
    if (budget < 64 * 1024) throw new UsageError(`record: --budget ${budget} is too small (at least 64K)`, 'record');
    const dir = path.dirname(path.resolve(file));
    try {
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      throw new Error(`record: cannot write ${file}: ${fs.existsSync(dir) ? 'the directory is not writable' : 'no such directory'}`);
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new Error(`record: ${file} is a directory`);
    const id = targetId(p, 'record');
    const seg = openAttached(id, true);
    try {
      const offset = (o.offset as number | undefined) ?? 0;
      if (offset >= seg.size) throw new RangeError(`record: offset ${offset} is past the end of segment ${id} (${seg.size} bytes)`);
      const length = (o.length as number | undefined) ?? seg.size - offset;
      if (length === 0) throw new UsageError('record: --length 0 records nothing', 'record');
      if (offset + length > seg.size) throw new RangeError(`record: ${offset}+${length} is past the end of segment ${id} (${seg.size} bytes)`);
      if (length > MAX_RANGE) throw new RangeError(`record: ${humanSize(length)} is more than a recording holds (${humanSize(MAX_RANGE)}): choose a range with --offset/--length`);
      const hz = (o.hz as number | undefined) ?? 10;
      let recorder: Recorder | undefined;
      const r = await sampleUntilDone(seg, { offset, length, hz, seq: o.seq as SeqField | undefined, durationS: o.duration as number | undefined },
        (samples, started) => {
          recorder ??= new Recorder({
            segment: { id, key: seg.key, size: seg.size }, offset, length, hz,
            startWallMs: started.wallMs, startMonoNs: started.monoNs.toString(),
          }, { budget });
          for (const s of samples) recorder.add(s.frame, s.monoNs, s.spans, s.changed);
        });
      if (!recorder) throw new Error(`record: no sample of segment ${id} was taken${r.message ? `: ${r.message}` : ''}`);
      const { samples, lateTicks, retries, giveUps } = r.stats;
      recorder.end({ reason: r.reason, ...(r.message ? { message: r.message } : {}), stats: { samples, lateTicks, retries, giveUps } });
      const size = recorder.writeFile(file);
      const st = recorder.stats;
      const evicted = st.evictedFrames ? `, ${st.evictedFrames} oldest dropped for the budget` : '';
      await ctx.io.stdout.write(`recorded ${st.keptFrames} frame${st.keptFrames === 1 ? '' : 's'} (${st.keyframes} keyframe${st.keyframes === 1 ? '' : 's'}${evicted}), ` +
        `${st.changedBytes} changed bytes, ${humanSize(size)} (${size} bytes) to ${file}\n`);
      await ctx.io.stderr.write(summary('record', r));
      if (r.reason === 'error') throw new Error(`record: ${r.message ?? 'sampling failed'} (the frames before it are in ${file})`);
    } finally {
      seg.detach();
    }
    return 0;
  },
};

// --- replay -------------------------------------------------------------------------------------

// Rounded up to the µs: a time as listed always names its own frame again (--at, --diff).
const fmtT = (ms: number) => Math.ceil(ms * 1000) / 1000;

function openRecording(file: string): Recording {
  try {
    return Recording.open(file);
  } catch (err) {
    if (err instanceof RecordingError) throw new Error(err.message);
    throw err;
  }
}

/** A moment for --diff: a frame number, or a time with a unit (1500ms, 2.5s): the last frame at or before it. */
function momentOf(rec: Recording, text: string, what: string): number {
  const t = text.trim();
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)$/i.exec(t);
  if (m) {
    const ms = Number(m[1]) * (m[2].toLowerCase() === 's' ? 1000 : 1);
    return frameAtOrFail(rec, ms);
  }
  return frameOrFail(rec, parseInteger(t, what), what);
}

function frameOrFail(rec: Recording, frame: number, what: string): number {
  if (rec.indexOf(frame) < 0) throw new RangeError(`${what}: no frame ${frame} in ${rec.name} (frames ${rec.firstFrame} to ${rec.lastFrame}; see --list)`);
  return frame;
}

function frameAtOrFail(rec: Recording, ms: number): number {
  const f = rec.frameAt(ms);
  if (f === undefined) throw new RangeError(`no frame at or before ${ms} ms in ${rec.name}: the first is at ${fmtT(rec.info(0).t)} ms`);
  return f;
}

function describe(rec: Recording): string {
  const h = rec.header;
  const key = `0x${(h.segment.key >>> 0).toString(16).padStart(8, '0')}`;
  const end = rec.end.reason === 'destroyed' ? 'the segment was destroyed' : rec.end.reason;
  return `recording of segment ${h.segment.id} (key ${key}, ${h.segment.size} bytes): bytes ${h.offset}..${h.offset + h.length}, ${h.hz} Hz, ` +
    `${rec.frameCount} frames (${rec.firstFrame} to ${rec.lastFrame}), ${fmtT(rec.info(rec.frameCount - 1).t)} ms, ended: ${end}\n`;
}

export const replay: Command = {
  name: 'replay',
  summary: 'Read a recording: its frames, the bytes at a moment, or what changed between two.',
  usage: [
    '<file> --list [--json]',
    '<file> (--at MS | --frame N) [--offset O --length L] [--json | --raw]',
    '<file> --diff A B [--json]',
  ],
  args: [{ name: '<file>', help: 'a recording made by record' }, { name: '<B>', help: 'with --diff: the second moment', optional: true }],
  options: [
    { name: 'list', short: 'l', help: 'the frames: number, time (ms since the start) and bytes changed from the previous frame' },
    { name: 'at', value: 'MS', parse: (t, o) => { const v = Number(t); if (!(v >= 0)) throw new UsageError(`${o}: '${t}' is not a time in ms`); return v; }, help: 'the bytes as they were MS ms after the start (the last frame at or before)' },
    { name: 'frame', short: 'f', value: 'N', parse: (t, o) => parseInteger(t, o), help: 'the bytes at frame N (as --list numbers them)' },
    offsetOption('with --at/--frame: from this segment offset (default: the recorded range)'), lengthOption('with --at/--frame: this many bytes (default: to the end of the range)'),
    { name: 'diff', value: 'A', help: 'with a second moment B: the byte ranges that differ between A and B' },
    { name: 'raw', help: 'with --at/--frame: the bytes themselves, not a hex dump' },
    { ...JSON_OPTION, help: 'JSON: --list [{"frame","t","changed"}]; --at/--frame {"frame","t","offset","hex"}; --diff {"a","b","changed","spans"}' },
  ],
  details:
    '--at/--frame print like read: a canonical hex dump (hexdump -C), offsets in the segment.\n' +
    'A and B of --diff are frame numbers (as --list shows them), or times since the start with a\n' +
    'unit (1500ms, 2.5s), each meaning the last frame at or before that time. --diff prints one\n' +
    'line per range: offset in the segment, length, the bytes at A and at B (first 16 shown).\n' +
    'A recording whose oldest frames were dropped for its budget starts at a later frame number.',
  async run(p, ctx) {
    const o = p.options;
    const modes = ['list', 'at', 'frame', 'diff'].filter((m) => o[m] !== undefined);
    if (modes.length !== 1) throw new UsageError(modes.length ? `replay: give one of --list, --at, --frame, --diff (not ${modes.map((m) => `--${m}`).join(' and ')})` : 'replay: give --list, --at MS, --frame N or --diff A B', 'replay');
    const mode = modes[0];
    if (mode === 'diff' ? p.args.length !== 2 : p.args.length !== 1) {
      throw new UsageError(mode === 'diff' ? 'replay: --diff needs two moments: --diff A B' : `unexpected argument '${p.args[1]}' for 'replay'`, 'replay');
    }
    if (mode !== 'at' && mode !== 'frame') {
      const wrong = ['offset', 'length', 'raw'].filter((n) => o[n] !== undefined);
      if (wrong.length) throw new UsageError(`replay: ${wrong.map((n) => `--${n}`).join(', ')} go with --at or --frame`, 'replay');
    }
    if (o.raw && o.json) throw new UsageError('replay: --raw or --json, not both', 'replay');
    const rec = openRecording(p.args[0]);
    if (mode === 'list') return listFrames(rec, ctx, !!o.json);
    if (mode === 'diff') return diffFrames(rec, ctx, momentOf(rec, o.diff as string, 'A'), momentOf(rec, p.args[1], 'B'), !!o.json);
    const frame = mode === 'at' ? frameAtOrFail(rec, o.at as number) : frameOrFail(rec, o.frame as number, '--frame');
    return showFrame(rec, ctx, frame, p);
  },
};

async function listFrames(rec: Recording, ctx: Context, json: boolean): Promise<number> {
  const rows: FrameInfo[] = [...rec.frames()];
  if (json) {
    await writeJson(ctx, rows.map((f) => ({ frame: f.frame, t: fmtT(f.t), changed: f.changed })));
    return 0;
  }
  let text = describe(rec) + `${'frame'.padStart(8)}  ${'t_ms'.padStart(12)}  changed\n`;
  for (const f of rows) text += `${String(f.frame).padStart(8)}  ${fmtT(f.t).toFixed(3).padStart(12)}  ${f.changed}${f.keyframe ? '  (keyframe)' : ''}\n`;
  await ctx.io.stdout.write(text);
  return 0;
}

async function showFrame(rec: Recording, ctx: Context, frame: number, p: Parsed): Promise<number> {
  const h = rec.header;
  const offset = (p.options.offset as number | undefined) ?? h.offset;
  const end = h.offset + h.length;
  if (offset < h.offset || offset > end) throw new RangeError(`--offset ${offset} is outside the recorded bytes ${h.offset}..${end}`);
  const length = (p.options.length as number | undefined) ?? end - offset;
  if (offset + length > end) throw new RangeError(`--offset ${offset} --length ${length} passes the end of the recorded bytes (${end})`);
  const bytes = rec.at(frame).subarray(offset - h.offset, offset - h.offset + length);
  const t = fmtT(rec.info(rec.indexOf(frame)).t);
  if (p.options.json) {
    await writeJson(ctx, { frame, t, offset, hex: bytes.toString('hex') });
  } else if (p.options.raw) {
    await ctx.io.stdout.write(bytes);
  } else {
    const d = new HexDumper(offset);
    await ctx.io.stdout.write(d.push(bytes) + d.end(p.options.length === undefined));
  }
  return 0;
}

async function diffFrames(rec: Recording, ctx: Context, a: number, b: number, json: boolean): Promise<number> {
  const base = rec.header.offset;
  const A = rec.at(a);
  const B = rec.at(b);
  const { spans, changed } = rec.diff(a, b);
  if (json) {
    await writeJson(ctx, {
      a, b, changed,
      spans: spans.map((s) => ({ offset: base + s.offset, length: s.length, a: A.toString('hex', s.offset, s.offset + s.length), b: B.toString('hex', s.offset, s.offset + s.length) })),
    });
    return 0;
  }
  const hex = (buf: Buffer, s: { offset: number; length: number }) =>
    buf.toString('hex', s.offset, s.offset + Math.min(s.length, 16)).replace(/(..)(?!$)/g, '$1 ') + (s.length > 16 ? ' …' : '');
  let text = `frames ${a} and ${b}: ${changed} byte${changed === 1 ? '' : 's'} differ in ${spans.length} range${spans.length === 1 ? '' : 's'}\n`;
  for (const s of spans) text += `0x${(base + s.offset).toString(16).padStart(8, '0')}  ${String(s.length).padStart(6)}  ${hex(A, s)}  ->  ${hex(B, s)}\n`;
  await ctx.io.stdout.write(text);
  return 0;
}
