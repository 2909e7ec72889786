// layout: the C types a header declares, or one type's exact layout (pahole-like), for an ABI.
import { type CLayouts, loadLayouts } from '../../ctypes';
import { describeDisagreement, verifyLayout } from '../../ctypes/verify';
import { type CAbi, type CRecordType, type CType, flattenFields } from '../../protocol/cTypes';
import { UsageError } from '../args';
import { type Command, JSON_OPTION, type Context, writeJson } from '../command';
import { C_BUILD_OPTIONS, C_COMPILE_COMMANDS_OPTION, C_TYPE_OPTION, cLoadOptionsFor } from './cOptions';

export const layout: Command = {
  name: 'layout',
  summary: 'Show the C types a header declares, or one type\'s layout (offsets, sizes, holes).',
  usage: ['FILE [--type NAME [--verify]] [--abi x86_64|aarch64] [-I DIR]... [-D NAME[=V]]... [--compile-commands FILE|DIR] [--json]'],
  args: [{ name: 'FILE', help: 'a C header or source file' }],
  options: [
    C_TYPE_OPTION,
    ...C_BUILD_OPTIONS,
    C_COMPILE_COMMANDS_OPTION,
    { name: 'verify', help: "check the layout with the ABI's C compiler (a probe, never run); disagreements exit 1" },
    JSON_OPTION,
  ],
  details:
    'With a C compiler for the ABI on PATH (cc, gcc, clang, or aarch64-linux-gnu-gcc for aarch64) the\n' +
    'file is preprocessed by it (cc -E); without one, #define/#if/#include "..." and #pragma pack are\n' +
    'handled here and the standard types (stdint, size_t, pid_t, pthread_mutex_t...) are built in.\n' +
    'Layouts follow gcc for the LP64 SysV ABIs; a construct we do not support is an error naming\n' +
    'its file and line, never a guess.\n' +
    '--json with --type: {"type","abi","size","align","fields":[{"path","offset","size","type"},...]}\n' +
    'with "count" for arrays and "bitOffset", "bitSize" (bits from the start) for bit-fields.\n' +
    '--compile-commands: the entry of FILE, else of a source file in its directory, else of one\n' +
    'compiled with -I its directory; a DIR is searched, then its build/, out/, cmake-build-*/.\n' +
    '--verify --json: {"type","abi","compiler","fields","disagreements":[{"path","what","ours",\n' +
    '"compiler"},...]}; "what": offset, size, align or bits; "path" "" is the type itself.',
  async run(p, ctx) {
    const file = p.args[0];
    const name = p.options.type as string | undefined;
    if (p.options.verify && name === undefined) throw new UsageError('--verify needs --type NAME', 'layout');
    const opts = await cLoadOptionsFor(p, file);
    const layouts = await loadLayouts(file, opts);
    if (name === undefined) return listTypes(ctx, layouts, file, !!p.options.json);
    const type = layouts.lookup(name);
    if (p.options.verify) return verify(ctx, { file, name, type, abi: layouts.abi, includeDirs: opts.includeDirs, defines: opts.defines, json: !!p.options.json });
    if (p.options.json) {
      await writeJson(ctx, { type: name, abi: layouts.abi, size: type.size, align: type.align, fields: flattenFields(type) });
    } else {
      await ctx.io.stdout.write(describeType(type, name, layouts.abi));
    }
    return 0;
  },
};

async function verify(ctx: Context, v: { file: string; name: string; type: CType; abi: CAbi; includeDirs?: string[]; defines?: string[]; json: boolean }): Promise<number> {
  const r = await verifyLayout({ file: v.file, abi: v.abi, typeName: v.name, type: v.type, includeDirs: v.includeDirs, defines: v.defines });
  if (r.kind === 'failed') throw new Error(r.message);
  const agrees = r.disagreements.length === 0;
  if (v.json) {
    await writeJson(ctx, { type: v.name, abi: v.abi, compiler: r.compiler, fields: r.fields, disagreements: r.disagreements });
  } else if (agrees) {
    await ctx.io.stdout.write(`${v.name}: layout agrees with ${r.compiler} (${r.fields} fields, size ${v.type.size}, align ${v.type.align})\n`);
  } else {
    const lines = r.disagreements.map((d) => `  ${describeDisagreement(d, v.name)}`);
    await ctx.io.stdout.write(`${v.name}: layout disagrees with ${r.compiler} (${v.abi}) in ${r.disagreements.length} place${r.disagreements.length === 1 ? '' : 's'}:\n${lines.join('\n')}\n`);
  }
  return agrees ? 0 : 1;
}

async function listTypes(ctx: Context, layouts: CLayouts, file: string, json: boolean): Promise<number> {
  const rows = layouts.declared.map((n) => ({ name: n, type: layouts.lookup(n) }));
  if (json) {
    await writeJson(ctx, { abi: layouts.abi, types: rows.map((r) => ({ type: r.name, kind: r.type.kind, size: r.type.size, align: r.type.align })) });
    return 0;
  }
  if (!rows.length) {
    await ctx.io.stdout.write(`${file} declares no struct, union, enum or typedef\n`);
    return 0;
  }
  const w = Math.max(...rows.map((r) => r.name.length));
  const lines = rows.map((r) => `${r.name.padEnd(w)}  ${String(r.type.size).padStart(6)} bytes  align ${r.type.align}`);
  await ctx.io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `char [2][3]` + `name` -> `char name[2][3]`; `void (*)()` + `fp` -> `void (*fp)()`. */
export function declaration(typeName: string, name: string): string {
  if (typeName.includes('(*)')) return typeName.replace('(*)', `(*${name})`);
  const i = typeName.indexOf(' [');
  if (i >= 0) return `${typeName.slice(0, i)} ${name}${typeName.slice(i + 1)}`;
  return typeName.endsWith('*') ? `${typeName}${name}` : `${typeName} ${name}`;
}

const COL = 48;

/** A pahole-like listing: members with offset and size, holes and tail padding marked. */
export function describeType(type: CType, name: string, abi: CAbi): string {
  const out: string[] = [];
  const line = (indent: string, text: string, comment: string) => out.push(`${(indent + text).padEnd(COL)} /* ${comment} */`);
  const record = (t: CRecordType, indent: string, base: number) => {
    let endBits = 0;
    for (const m of t.members) {
      const startBits = m.bitOffset ?? m.offset * 8;
      if (t.kind === 'struct' && startBits > endBits) {
        const gap = startBits - endBits;
        out.push(`${indent}/* XXX ${gap % 8 === 0 ? `${gap / 8} byte${gap === 8 ? '' : 's'}` : `${gap} bit${gap === 1 ? '' : 's'}`} hole */`);
      }
      const label = m.name ?? '';
      if (m.bitSize !== undefined && m.bitOffset !== undefined) {
        line(indent, `${m.type.name}${label ? ' ' + label : ''}:${m.bitSize};`, `${pad(base + Math.floor(m.bitOffset / 8))}:${m.bitOffset % 8} ${m.bitSize} bit${m.bitSize === 1 ? '' : 's'}`);
        endBits = Math.max(endBits, m.bitOffset + m.bitSize);
        continue;
      }
      const nested = m.type.kind === 'struct' || m.type.kind === 'union' ? m.type : undefined;
      if (nested) {
        line(indent, `${nested.name} {`, `${pad(base + m.offset)} ${pad(m.type.size)}`);
        record(nested, indent + '    ', base + m.offset);
        out.push(`${indent}}${label ? ' ' + label : ''};`);
      } else {
        line(indent, `${declaration(m.type.name, label)};`, `${pad(base + m.offset)} ${pad(m.type.size)}`);
      }
      endBits = Math.max(endBits, (m.offset + m.type.size) * 8);
    }
    const tail = t.size * 8 - endBits;
    if (tail > 0) out.push(`${indent}/* ${tail % 8 === 0 ? `${tail / 8} byte${tail === 8 ? '' : 's'}` : `${tail} bits`} tail padding */`);
  };
  if (type.kind === 'struct' || type.kind === 'union') {
    out.push(`${name} {`.padEnd(COL) + ' /* offset  size */');
    record(type, '    ', 0);
    out.push('};');
  } else if (type.kind === 'enum') {
    out.push(`${name}: ${type.size} bytes, ${type.signed ? 'signed' : 'unsigned'}`);
    for (const e of type.enumerators) out.push(`    ${e.name} = ${e.value}`);
  } else {
    out.push(`${name}: ${type.kind} ${type.name}`);
  }
  out.push(`/* ${abi}: size ${type.size}, align ${type.align} */`);
  return out.join('\n') + '\n';
}

const pad = (n: number) => String(n).padStart(5);
