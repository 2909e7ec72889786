// "Verify Layout with the Compiler": asks the user's own compiler for the layout of one type in
// their header and lists every place where it and ours disagree. The probe (given on stdin,
// with the header force-included) holds one array of numbers (sizeof/_Alignof of the type,
// offsetof/sizeof of every named non-bit-field member) and one object per bit-field with that
// field set to all ones; we read both back from the compiler's assembly (probe.ts), so nothing
// runs and a cross compiler checks the other ABI.
import * as path from 'node:path';
import { type CAbi, type CField, type CType, flattenFields } from '../protocol/cTypes';
import { findCompiler } from './preprocess';
import { bitFieldObject, compileToAssembly, readObjects, setBits } from './probe';

export interface VerifyRequest {
  /** The header (or C file) the type was laid out from. */
  file: string;
  abi: CAbi;
  includeDirs?: string[];
  /** `NAME` or `NAME=VALUE`. */
  defines?: string[];
  /** The type as C spells it (`struct foo`, a typedef name) and our layout of it. */
  typeName: string;
  type: CType;
  /** The compiler to ask; default: the one that preprocesses for abi (findCompiler). */
  compiler?: string[];
  /** Default 10 s. */
  timeoutMs?: number;
}

export interface Disagreement {
  /** The member as flattenFields names it; '' for the type itself. */
  path: string;
  what: 'offset' | 'size' | 'align' | 'bits';
  /** Bytes for offset/size/align; for bits, `bits 3-7` (first to last, from the start of the type). */
  ours: number | string;
  compiler: number | string;
}

export type VerifyResult =
  /** The compiler's layout was read: `fields` named members checked, disagreements listed. */
  | { kind: 'checked'; compiler: string; fields: number; disagreements: Disagreement[] }
  /** No compiler for the ABI, the probe did not compile, or the compiler timed out. */
  | { kind: 'failed'; message: string };

export const VERIFY_TIMEOUT_MS = 10_000;
const NUMBERS = 'shm_inspector_probe_numbers';
const BIT_OBJECT = 'shm_inspector_probe_bits_';

export async function verifyLayout(req: VerifyRequest): Promise<VerifyResult> {
  const compiler = req.compiler ?? findCompiler(req.abi);
  if (!compiler) return { kind: 'failed', message: `no compiler for ${req.abi} on PATH (install ${req.abi === 'aarch64' ? 'gcc-aarch64-linux-gnu' : 'gcc'})` };
  const name = compiler.join(' ');
  const fields = flattenFields(req.type);
  const { text, numbers, bitFields } = probe(req.typeName, req.type, fields);
  const args = [
    ...(req.includeDirs ?? []).map((d) => `-I${d}`),
    ...(req.defines ?? []).map((d) => `-D${d}`),
    '-include', path.resolve(req.file),
  ];
  const r = await compileToAssembly(compiler, text, args, req.timeoutMs ?? VERIFY_TIMEOUT_MS);
  if (r.failure) return { kind: 'failed', message: r.failure };
  if (r.status !== 0) return { kind: 'failed', message: `${name} could not compile the probe: ${firstErrors(r.stderr)}` };
  const objects = readObjects(r.asm, (label) => label === NUMBERS || label.startsWith(BIT_OBJECT));
  const bytes = objects.get(NUMBERS);
  if (!bytes || bytes.length !== numbers.length * 8) return { kind: 'failed', message: `cannot read the probe's numbers in ${name}'s assembly` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const disagreements: Disagreement[] = [];
  numbers.forEach((n, i) => {
    const theirs = Number(view.getBigUint64(i * 8, true));
    if (theirs !== n.ours) disagreements.push({ path: n.path, what: n.what, ours: n.ours, compiler: theirs });
  });
  bitFields.forEach((f, i) => {
    const theirs = setBits(objects.get(`${BIT_OBJECT}${i}`) ?? new Uint8Array());
    const ours = bitRange(f.bitOffset ?? 0, f.bitSize ?? 0);
    const text = describeBits(theirs);
    if (text !== ours) disagreements.push({ path: f.path, what: 'bits', ours, compiler: text });
  });
  disagreements.sort((a, b) => order(a) - order(b));
  return { kind: 'checked', compiler: name, fields: fields.length, disagreements };

  function order(d: Disagreement): number {
    return d.path === '' ? -1 : fields.findIndex((f) => f.path === d.path);
  }
}

interface Checked { path: string; what: 'offset' | 'size' | 'align'; ours: number; expr: string }

/** The probe's C text, the numbers it asks for (in array order) and its bit-fields (by index). */
function probe(typeName: string, type: CType, fields: CField[]): { text: string; numbers: Checked[]; bitFields: CField[] } {
  const numbers: Checked[] = [];
  const bitFields: CField[] = [];
  numbers.push({ path: '', what: 'size', ours: type.size, expr: `sizeof(${typeName})` });
  numbers.push({ path: '', what: 'align', ours: type.align, expr: `_Alignof(${typeName})` });
  for (const f of fields) {
    if (f.bitSize !== undefined) {
      bitFields.push(f);
      continue;
    }
    numbers.push({ path: f.path, what: 'offset', ours: f.offset, expr: `__builtin_offsetof(${typeName}, ${f.path})` });
    // A flexible array member has no size (sizeof would not compile); `x[0]` has size 0 anyway.
    if (!(f.count === 0 && f.size === 0)) numbers.push({ path: f.path, what: 'size', ours: f.size, expr: `sizeof(((${typeName} *)0)->${f.path})` });
  }
  // The member names are the real ones (we read the preprocessed text); a header macro of the
  // same name (glibc's `#define sa_handler __sigaction_handler.sa_handler`) must not rewrite them.
  const names = new Set(fields.flatMap((f) => f.path.split('.').map((p) => p.replace(/\[.*$/, ''))));
  const lines = [...[...names].map((n) => `#undef ${n}`)];
  lines.push(`__attribute__((used)) const unsigned long long ${NUMBERS}[] = {`, ...numbers.map((n) => `  ${n.expr},`), '};');
  bitFields.forEach((f, i) => lines.push(bitFieldObject(`${BIT_OBJECT}${i}`, typeName, f)));
  return { text: lines.join('\n') + '\n', numbers, bitFields };
}

/** One line for a message: `hdr.pid: offset 8 here, 12 by the compiler` (bytes; bits for bit-fields). */
export function describeDisagreement(d: Disagreement, typeName: string): string {
  const what = d.path === '' ? typeName : d.path;
  if (d.what === 'bits') return `${what}: ${d.ours} here, ${d.compiler} by the compiler`;
  return `${what}: ${d.what === 'align' ? 'alignment' : d.what} ${d.ours} here, ${d.compiler} by the compiler`;
}

function bitRange(first: number, size: number): string {
  return size === 0 ? 'no bits' : size === 1 ? `bit ${first}` : `bits ${first}-${first + size - 1}`;
}

/** Set bits as runs: `bits 3-7`, `bit 4`, `bits 1-2, 5` (never contiguous means a wrong probe or layout). */
function describeBits(bits: number[]): string {
  if (!bits.length) return 'no bits';
  const runs: [number, number][] = [];
  for (const b of bits) {
    const last = runs.at(-1);
    if (last && last[1] === b - 1) last[1] = b;
    else runs.push([b, b]);
  }
  if (runs.length === 1) return bitRange(runs[0][0], runs[0][1] - runs[0][0] + 1);
  return `bits ${runs.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ')}`;
}

/** The compiler's first error lines (up to three), joined on one line. */
function firstErrors(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => /\berror\b/.test(l));
  return (errors.length ? errors : lines).slice(0, 3).join(' / ') || 'no message';
}
