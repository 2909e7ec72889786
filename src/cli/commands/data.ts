// read, write, search, dump, load: the bytes of a segment. Every range is checked before any
// byte moves, so a write that would pass the end writes nothing.
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { type Segment, search as searchSegment } from '../../core';
import { checkRange } from '../../core/validate';
import type { Parsed } from '../args';
import { UsageError } from '../args';
import {
  type Command, ID_ARG, JSON_OPTION, KEY_TARGET, NUMBERS_NOTE, PROG, lengthOption, offsetOption, openAttached, targetId, writeJson,
} from '../command';
import { HexDumper, formatOffset } from '../hexdump';
import { copyFrom, spool } from '../files';
import { replaceFile, writeAll } from '../../core/files';
import { parseHex, parseInteger, parseSize } from '../values';
import {
  COUNT_OPTION, HEADER_OPTIONS, SET_OPTION, TYPED_DETAILS, checkReadForm, checkWriteForm, isTyped, readTyped, writeTyped,
} from './typed';

const RAW_CHUNK = 1 << 20;
const HEX_CHUNK = 64 << 10;

/**
 * A stream into the segment at offset, all or nothing without holding it in memory: spooled to a
 * private temporary file first (refused by tooLong past the room left), then copied in chunks.
 */
async function streamInto(seg: Segment, input: Readable, offset: number, tooLong: (seen: number) => Error): Promise<number> {
  const { fd, size } = await spool(input, seg.size - offset, tooLong);
  try {
    return copyFrom(fd, size, (chunk, done) => seg.writeChunk(chunk, offset + done));
  } finally {
    fs.closeSync(fd);
  }
}

/** [offset, offset+length) within the segment; default length: to the end. */
function range(p: Parsed, size: number, id: number, op: string): { offset: number; length: number } {
  const offset = (p.options.offset as number | undefined) ?? 0;
  if (offset > size) throw new RangeError(`${op}: offset ${offset} is past the end of segment ${id} (${size} bytes)`);
  const length = (p.options.length as number | undefined) ?? size - offset;
  checkRange(op, offset, length, size, id);
  return { offset, length };
}

export const read: Command = {
  name: 'read',
  summary: 'Print bytes of a segment: a canonical hex dump (exactly like hexdump -C), raw bytes, or a C type.',
  usage: [
    '<id> [--offset N] [--length N] [--format hex|raw]', '--key KEY [--offset N] [--length N] [--format hex|raw]',
    '<id> --header FILE --type NAME [--at OFFSET] [--count N] [--json] [-I DIR]... [-D NAME[=V]]... [--abi ABI]',
  ],
  args: [ID_ARG],
  options: [
    offsetOption(), lengthOption(),
    {
      name: 'format', short: 'f', value: 'hex|raw', help: 'hex: like hexdump -C, offsets from --offset (default); raw: the bytes',
      parse: (t, o) => {
        if (t !== 'hex' && t !== 'raw') throw new UsageError(`${o}: '${t}' is not hex or raw`);
        return t;
      },
    },
    KEY_TARGET,
    ...HEADER_OPTIONS, COUNT_OPTION,
    { ...JSON_OPTION, help: 'with --header: {"type", "offset", "values": {PATH: VALUE}}' },
  ],
  details:
    'Attaches read-only. The hex output equals `hexdump -C -s OFFSET -n LENGTH` of the same bytes:\n' +
    'repeated lines collapse to `*`, and the last line is the offset just past the end.\n' +
    TYPED_DETAILS + 'Printed as a tree like gdb\'s print; JSON values: integers as numbers (beyond 2^53 as\n' +
    'decimal strings), floats as numbers or "NaN"/"Infinity"/"-Infinity", char arrays as strings,\n' +
    'enums by name, pointers as "0x…", _Bool as true/false.\n' + NUMBERS_NOTE,
  async run(p, ctx) {
    checkReadForm(p);
    if (isTyped(p)) return readTyped(p, ctx);
    const id = targetId(p, 'read');
    const hex = (p.options.format ?? 'hex') === 'hex';
    const seg = openAttached(id, true);
    try {
      const { offset, length } = range(p, seg.size, id, 'read');
      const dumper = new HexDumper(offset);
      const step = hex ? HEX_CHUNK : RAW_CHUNK;
      for (let pos = offset, end = offset + length; pos < end;) {
        const n = Math.min(step, end - pos);
        const chunk = seg.readChunk(n, pos); // a fresh Buffer: the stream may still hold the previous one
        pos += n;
        if (!hex) await ctx.io.stdout.write(chunk);
        else {
          const text = dumper.push(chunk);
          if (text) await ctx.io.stdout.write(text);
        }
      }
      // Like hexdump: `-n 0` prints nothing, `-s` at the very end prints the end offset.
      if (hex) await ctx.io.stdout.write(dumper.end(p.options.length === undefined));
    } finally {
      seg.detach();
    }
    return 0;
  },
};

export const write: Command = {
  name: 'write',
  summary: 'Write bytes into a segment at an offset (--hex, --text, stdin), or fields of a C type (--set).',
  usage: [
    '<id> [--offset N] --hex HEX', '<id> [--offset N] --text STRING', '<id> [--offset N] < file',
    '<id> --header FILE --type NAME [--at OFFSET] --set PATH=VALUE... [-I DIR]... [-D NAME[=V]]... [--abi ABI]',
  ],
  args: [ID_ARG],
  options: [
    offsetOption(),
    { name: 'hex', short: 'x', value: 'HEX', help: "bytes as hex: 'de ad be ef', deadbeef, 0xde,0xad, de:ad" },
    { name: 'text', short: 't', value: 'STRING', help: 'the UTF-8 bytes of STRING' },
    KEY_TARGET,
    JSON_OPTION,
    ...HEADER_OPTIONS, SET_OPTION,
  ],
  details:
    TYPED_DETAILS + 'Every --set is checked (range, enumerator names, string length with its NUL) before\n' +
    'anything is written; then the bytes from the first to the last field set are written at once\n' +
    '(bit-fields keep their neighbours).\n' +
    'Values: decimal, 0x hex, 0o, 0b, negative; enum names; true/false; 1.5, NaN, Infinity; text.\n' +
    'Without --hex/--text the bytes come from stdin. Data that would pass the end of the segment\n' +
    'is refused (exit 1) and nothing is written: stdin is first copied to a private temporary file\n' +
    '(in $TMPDIR, removed at once), then into the segment. Prints how many bytes were written.\n' + NUMBERS_NOTE,
  async run(p, ctx) {
    checkWriteForm(p);
    if (isTyped(p)) return writeTyped(p, ctx);
    const o = p.options;
    if (o.hex !== undefined && o.text !== undefined) throw new UsageError('write: give --hex or --text, not both', 'write');
    // Parse before opening anything: malformed input is a usage error whatever the id.
    const data: Buffer | undefined = o.hex !== undefined ? parseHex(o.hex as string, '--hex').bytes
      : o.text !== undefined ? Buffer.from(o.text as string, 'utf8') : undefined;
    if (data === undefined && ctx.io.stdin.isTTY) {
      throw new UsageError('write: no data: give --hex HEX or --text STRING, or pipe the bytes to stdin', 'write');
    }
    const id = targetId(p, 'write');
    const seg = openAttached(id, false);
    try {
      const offset = (o.offset as number | undefined) ?? 0;
      if (offset > seg.size) throw new RangeError(`write: offset ${offset} is past the end of segment ${id} (${seg.size} bytes)`);
      const room = seg.size - offset;
      const written = data ? seg.writeChunk(data, offset) : await streamInto(seg, ctx.io.stdin, offset, (seen) =>
        new RangeError(`write: the data from stdin (at least ${seen} bytes) does not fit in the ${room} bytes from offset ${offset} to the end of segment ${id} (${seg.size} bytes): nothing written`));
      if (o.json) await writeJson(ctx, { id, offset, written });
      else await ctx.io.stdout.write(`wrote ${written} byte${written === 1 ? '' : 's'} to segment ${id} at offset ${offset} (0x${offset.toString(16)})\n`);
    } finally {
      seg.detach();
    }
    return 0;
  },
};

export const search: Command = {
  name: 'search',
  summary: 'Find a byte pattern or text in a segment and print the offsets of the matches.',
  usage: ["<id> --hex 'de ad ?? ef' [--max N] [--from N] [--backwards]", '<id> --text STRING [--ignore-case] [--max N]'],
  args: [ID_ARG],
  options: [
    { name: 'hex', short: 'x', value: 'HEX', help: "bytes to find; ?? matches any byte: 'de ad ?? ef'" },
    { name: 'text', short: 't', value: 'STRING', help: 'UTF-8 text to find' },
    { name: 'ignore-case', short: 'i', help: 'ASCII letters match either case' },
    { name: 'max', short: 'm', value: 'N', parse: (t, o) => parseInteger(t, o, 1), help: 'stop after N matches (default 1000)' },
    { name: 'from', value: 'N', parse: (t, o) => parseSize(t, o), help: 'first offset a match may start at (backwards: the last)' },
    { name: 'backwards', help: 'search from the end (or --from) towards the start' },
    KEY_TARGET,
    JSON_OPTION,
  ],
  details: 'Prints one offset per line as 0x%08x (accepted back by --offset). Attaches read-only.\nJSON: {"offsets": [numbers], "truncated": bool}.',
  async run(p, ctx) {
    const o = p.options;
    if ((o.hex === undefined) === (o.text === undefined)) throw new UsageError('search: give exactly one of --hex or --text', 'search');
    const pat = o.hex !== undefined ? parseHex(o.hex as string, '--hex', true) : { bytes: Buffer.from(o.text as string, 'utf8'), mask: undefined };
    if (pat.bytes.length === 0) throw new UsageError('search: empty pattern', 'search');
    if (pat.mask && !pat.mask.some((m) => m !== 0)) throw new UsageError('search: the pattern is all wildcards', 'search');
    const id = targetId(p, 'search');
    const seg = openAttached(id, true);
    let r: { offsets: number[]; truncated: boolean };
    try {
      if (o.from !== undefined && (o.from as number) > seg.size) throw new RangeError(`search: --from ${o.from as number} is past the end of segment ${id} (${seg.size} bytes)`);
      r = searchSegment(seg, {
        pattern: pat.bytes, mask: pat.mask, caseInsensitive: !!o['ignore-case'],
        from: o.from as number | undefined, backwards: !!o.backwards, max: (o.max as number | undefined) ?? 1000,
      });
    } finally {
      seg.detach();
    }
    if (o.json) {
      await writeJson(ctx, r);
      return 0;
    }
    if (r.offsets.length) await ctx.io.stdout.write(r.offsets.map((x) => '0x' + formatOffset(x) + '\n').join(''));
    if (r.truncated) await ctx.io.stderr.write(`${PROG}: stopped after ${r.offsets.length} matches (--max N for more)\n`);
    return 0;
  },
};

/** `<id> <file>` or `--key K <file>`. */
function idAndFile(p: Parsed, command: string): { id: number; file: string } {
  const want = p.options.key !== undefined ? 1 : 2;
  if (p.args.length < want) throw new UsageError(`missing ${want === 2 && p.args.length === 0 ? '<id>' : '<file>'} for '${command}'`, command);
  if (p.args.length > want) throw new UsageError(`unexpected argument '${p.args[want]}' for '${command}'`, command);
  const file = p.args[want - 1];
  return { id: targetId({ options: p.options, args: want === 2 ? [p.args[0]] : [] }, command), file };
}

const FILE_ARGS = [{ name: '<id>', help: 'segment id (or use --key)', optional: true }, { name: '<file>', help: 'file path; - for stdout/stdin', optional: true }];

export const dump: Command = {
  name: 'dump',
  summary: 'Copy a segment (or part of it) to a file.',
  usage: ['<id> <file> [--offset N] [--length N]'],
  args: FILE_ARGS,
  options: [offsetOption(), lengthOption(), KEY_TARGET],
  details:
    'The copy goes to a temporary file (mode 0600: segments may hold secrets) in the same directory,\n' +
    'renamed over <file> only when complete: a failed dump leaves an existing file as it was. An\n' +
    'existing file keeps its mode. `-` writes to stdout. ' + NUMBERS_NOTE,
  async run(p, ctx) {
    const { id, file } = idAndFile(p, 'dump');
    const seg = openAttached(id, true);
    try {
      const { offset, length } = range(p, seg.size, id, 'dump');
      if (file === '-') {
        for (let done = 0; done < length;) {
          const n = Math.min(RAW_CHUNK, length - done);
          await ctx.io.stdout.write(seg.readChunk(n, offset + done));
          done += n;
        }
        return 0;
      }
      const buf = Buffer.allocUnsafe(Math.min(4 * RAW_CHUNK, Math.max(length, 1)));
      await replaceFile(file, (fd) => {
        for (let done = 0; done < length;) {
          const n = Math.min(buf.length, length - done);
          seg.readInto(buf, offset + done, n);
          writeAll(fd, buf, n);
          done += n;
        }
      });
      await ctx.io.stdout.write(`dumped ${length} bytes of segment ${id} (offset ${offset}) to ${file}\n`);
    } finally {
      seg.detach();
    }
    return 0;
  },
};

export const load: Command = {
  name: 'load',
  summary: 'Copy a file into a segment at an offset.',
  usage: ['<id> <file> [--offset N]'],
  args: FILE_ARGS,
  options: [offsetOption('write at this byte offset (default 0)'), KEY_TARGET],
  details:
    'A file that would pass the end of the segment is refused before anything is written. `-` reads\n' +
    'stdin, which (like a FIFO) is first copied to a private temporary file for that. ' + NUMBERS_NOTE,
  async run(p, ctx) {
    const { id, file } = idAndFile(p, 'load');
    const seg = openAttached(id, false);
    try {
      const offset = (p.options.offset as number | undefined) ?? 0;
      if (offset > seg.size) throw new RangeError(`load: offset ${offset} is past the end of segment ${id} (${seg.size} bytes)`);
      const room = seg.size - offset;
      const tooLong = (seen: number) =>
        new RangeError(`load: ${file} (${seen} bytes or more) does not fit in the ${room} bytes from offset ${offset} to the end of segment ${id} (${seg.size} bytes): nothing written`);
      let total: number;
      if (file === '-') {
        total = await streamInto(seg, ctx.io.stdin, offset, tooLong);
      } else {
        const fd = fs.openSync(file, 'r');
        try {
          const st = fs.fstatSync(fd);
          if (st.isFile()) {
            if (st.size > room) throw tooLong(st.size);
            // A regular file: its size is known, no spooling.
            total = copyFrom(fd, st.size, (chunk, done) => seg.writeChunk(chunk, offset + done));
          } else {
            total = await streamInto(seg, fs.createReadStream('', { fd, autoClose: false }), offset, tooLong);
          }
        } finally {
          fs.closeSync(fd);
        }
      }
      await ctx.io.stdout.write(`loaded ${total} bytes from ${file} into segment ${id} at offset ${offset}\n`);
    } finally {
      seg.detach();
    }
    return 0;
  },
};
