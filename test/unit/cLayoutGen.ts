// A seeded generator of random C declarations using every construct src/ctypes lays out, and
// the probe that makes a compiler check our layouts: `_Static_assert`s on sizeof/_Alignof/
// offsetof, and one const object per bit-field with that field set to all ones, whose bytes
// we read back from the compiler's assembly (src/ctypes/probe.ts: works cross-compiled, nothing runs).
import { bitFieldObject, compileToAssembly, readObjects } from '../../src/ctypes/probe';
import { type CType, flattenFields } from '../../src/protocol/cTypes';
import { seededRng } from './helpers';

export interface Generated {
  /** All declarations (what we parse and what the compiler compiles). */
  text: string;
  /** Each top-level type's own declaration text, by C name (for failure reports). */
  decls: Map<string, string>;
  /** Names of the types to check, in order. */
  names: string[];
}

const INTS = ['char', 'signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned int', 'long', 'unsigned long', 'long long', 'unsigned long long'];
const SCALARS = [...INTS, '_Bool', 'float', 'double', 'long double', 'void *', '__int128', 'unsigned __int128', 'char *'];
const SIZE: Record<string, number> = { char: 1, 'signed char': 1, 'unsigned char': 1, short: 2, 'unsigned short': 2, int: 4, 'unsigned int': 4, long: 8, 'unsigned long': 8, 'long long': 8, 'unsigned long long': 8, _Bool: 1 };
const ENUM_VALUES = ['0', '1', '-1', '127', '-128', '255', '256', '32767', '-32769', '65535', '2147483647', '-2147483648', '2147483648', '4294967295', '4294967296', '-4294967296', '9223372036854775807', '(-9223372036854775807 - 1)', '1u << 31', '0x7fffffffffffffff'];

export function generate(seed: number, count: number): Generated {
  const rand = seededRng(seed);
  const r = () => rand.next();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const chance = (p: number) => r() < p;
  const pow2 = (max: number) => 1 << Math.floor(r() * (Math.log2(max) + 1));
  const decls = new Map<string, string>();
  const names: string[] = [];
  const parts: string[] = [];
  // Reusable member types: name, whether it may be a bit-field type, whether it may be an array element.
  // weight: how many fields it flattens to (kept small: structs nest earlier structs by value).
  const types: { name: string; bitField?: number; arrayOk: boolean; weight: number }[] = SCALARS.map((s) => ({ name: s, bitField: SIZE[s], arrayOk: true, weight: 1 }));
  let weight = 0;
  let fieldNo = 0;

  const member = (depth: number, inUnion: boolean): string => {
    const name = `f${fieldNo++}`;
    weight++;
    const roll = r();
    if (roll < 0.22) {
      const bitTypes = types.filter((t) => t.bitField);
      const t = pick(bitTypes);
      const max = t.name === '_Bool' ? 1 : (t.bitField ?? 0) * 8;
      if (chance(0.15)) return `${t.name} : 0;`;
      const width = 1 + Math.floor(r() * max);
      if (chance(0.15)) return `${t.name} : ${width};`;
      return `${t.name} ${name} : ${width}${chance(0.1) ? ' __attribute__((packed))' : ''};`;
    }
    if (roll < 0.3 && depth < 2) {
      const kind = chance(0.5) ? 'struct' : 'union';
      const n = 1 + Math.floor(r() * 4);
      const body = Array.from({ length: n }, () => member(depth + 1, kind === 'union')).join(' ');
      const attrs = chance(0.2) ? ' __attribute__((packed))' : '';
      return `${kind} { ${body} }${attrs}${chance(0.7) ? '' : ` ${name}`};`;
    }
    const t = pick(types.filter((x) => x.weight <= 30));
    weight += t.weight;
    let decl = name;
    if (t.arrayOk && chance(0.2)) {
      const dims = 1 + Math.floor(r() * 3);
      for (let d = 0; d < dims; d++) decl += `[${1 + Math.floor(r() * 4)}]`;
    }
    let prefix = '';
    let suffix = '';
    const a = r();
    if (a < 0.08) suffix = ' __attribute__((packed))';
    else if (a < 0.14) suffix = ` __attribute__((aligned(${pow2(32)})))`;
    else if (a < 0.18) prefix = `_Alignas(${pow2(32)}) `;
    else if (a < 0.2) suffix = ' __attribute__((packed, aligned(2)))';
    if (prefix && !inUnion) prefix = `_Alignas(${t.name}) _Alignas(${pow2(16)}) `; // never below the type's own
    else if (prefix) prefix = `_Alignas(${t.name}) `;
    return `${prefix}${t.name} ${decl}${suffix};`;
  };

  for (let i = 0; i < count; i++) {
    const roll = r();
    if (roll < 0.08) {
      const name = `enum E${i}`;
      const n = 1 + Math.floor(r() * 3);
      // An implicit value past LLONG_MAX is an error (ours and gcc's differ in kind): give the last one a value.
      const vals = Array.from({ length: n }, (_, k) => `E${i}_${k}${chance(0.8) || k > 0 ? ` = ${pick(ENUM_VALUES)}` : ''}`);
      const packed = chance(0.4);
      const text = `${name} { ${vals.join(', ')} }${packed ? ' __attribute__((packed))' : ''};`;
      parts.push(text);
      decls.set(name, text);
      names.push(name);
      types.push({ name, bitField: 0, arrayOk: true, weight: 1 });
      continue;
    }
    if (roll < 0.13) {
      const base = pick(INTS);
      const n = pow2(32);
      const name = `T${i}`;
      const text = `typedef ${base} ${name} __attribute__((aligned(${n})));`;
      parts.push(text);
      decls.set(name, text);
      names.push(name);
      types.push({ name, arrayOk: n <= SIZE[base], weight: 1 });
      continue;
    }
    const kind = chance(0.8) ? 'struct' : 'union';
    const name = `${kind} S${i}`;
    fieldNo = 0;
    weight = 0;
    const n = 1 + Math.floor(r() * 7);
    const members = Array.from({ length: n }, () => member(0, kind === 'union'));
    const flexible = kind === 'struct' && chance(0.08);
    if (flexible) members.push(`char fz; ${pick(['char', 'int', 'long double', 'short'])} flex[];`); // C: a named member first
    const attr = r();
    const attrs = attr < 0.12 ? ' __attribute__((packed))' : attr < 0.2 ? ` __attribute__((aligned(${pow2(32)})))` : attr < 0.24 ? ` __attribute__((packed, aligned(${pow2(8)})))` : '';
    let text = `${name} { ${members.join(' ')} }${attrs};`;
    const p = r();
    if (p < 0.12) text = `#pragma pack(push, ${pow2(16)})\n${text}\n#pragma pack(pop)`;
    else if (p < 0.18) text = `#pragma pack(${pow2(16)})\n${text}\n#pragma pack()`;
    parts.push(text);
    decls.set(name, text);
    names.push(name);
    if (!flexible) types.push({ name, arrayOk: true, weight });
  }
  // Enumerators may be used in bit-field types only if their type is known; keep enums non-bit-field.
  return { text: parts.join('\n') + '\n', decls, names };
}

export interface Check { type: string; what: string; expected: string }

/** The probe's C text: static asserts for sizes/alignments/offsets, one object per bit-field. */
export function probe(gen: Generated, lookup: (name: string) => CType): { text: string; bitObjects: Map<string, { type: string; path: string; bitOffset: number; bitSize: number; size: number }> } {
  const lines = [gen.text];
  const bitObjects = new Map<string, { type: string; path: string; bitOffset: number; bitSize: number; size: number }>();
  let k = 0;
  for (const name of gen.names) {
    const t = lookup(name);
    const msg = (what: string) => JSON.stringify(`${name}|${what}`);
    lines.push(`_Static_assert(sizeof(${name}) == ${t.size}, ${msg('sizeof')});`);
    lines.push(`_Static_assert(_Alignof(${name}) == ${t.align}, ${msg('_Alignof')});`);
    if (t.kind === 'enum') {
      lines.push(`_Static_assert((${name})-1 ${t.signed ? '<' : '>'} 0, ${msg('signedness')});`);
      continue;
    }
    for (const f of flattenFields(t)) {
      if (f.bitSize === undefined) {
        lines.push(`_Static_assert(__builtin_offsetof(${name}, ${f.path}) == ${f.offset}, ${msg(`offsetof ${f.path}`)});`);
        continue;
      }
      const obj = `bf${k++}`;
      lines.push(bitFieldObject(obj, name, f));
      bitObjects.set(obj, { type: name, path: f.path, bitOffset: f.bitOffset ?? 0, bitSize: f.bitSize, size: t.size });
    }
  }
  return { text: lines.join('\n') + '\n', bitObjects };
}

export interface CompileResult { failures: { type: string; what: string }[]; objects: Map<string, Uint8Array>; error?: string }

/** Compiles the probe to assembly; returns the failed asserts and each object's bytes. */
export async function compileProbe(compiler: string[], text: string): Promise<CompileResult> {
  const r = await compileToAssembly(compiler, text, ['-std=gnu11'], 300_000);
  const failures: { type: string; what: string }[] = [];
  for (const m of r.stderr.matchAll(/static assertion failed: "([^|"]+)\|([^"]*)"/g)) failures.push({ type: m[1], what: m[2] });
  if (r.status !== 0 && failures.length === 0) return { failures, objects: new Map(), error: r.failure ?? (r.stderr.split('\n').filter((l) => /error/.test(l)).slice(0, 3).join(' / ') || r.stderr) };
  return { failures, objects: readObjects(r.asm, (label) => /^bf\d+$/.test(label)) };
}
