// Walks tree-sitter-c's syntax tree of preprocessed C and lays out every struct, union, enum and
// typedef it declares for one ABI. Anything we do not understand is an error naming file and
// line, never a guess: in the file itself at once; in an included header only when a type that
// needs it is asked for (system headers are full of declarations no layout needs).
import type { Node } from 'web-tree-sitter';
import { type CEnumerator, type CType, flattenFields } from '../protocol/cTypes';
import { type Abi, arithmetic, standardType } from './abi';
import { binary, parseCharLiteral, parseIntLiteral, unary } from './integer';
import { type FieldDecl, layoutEnum, layoutRecord } from './layout';

export interface Origin { file: string; line: number }

/** Preprocessed text and where each of its lines came from. */
export interface Source {
  text: string;
  /** origins[row] for each line of text. */
  origins: Origin[];
  mainFile: string;
  /** No compiler's headers were read: know the standard typedefs ourselves. */
  builtinTypes: boolean;
}

export class CTypeError extends Error {
  override readonly name = 'CTypeError';
  constructor(message: string, readonly origin?: Origin) {
    super(origin ? `${origin.file}:${origin.line}: ${message}` : message);
  }
}

type Pre = CType | { kind: 'void'; name: 'void' } | { kind: 'function'; name: string };

interface Entry {
  origin: Origin;
  get: () => CType;
}

interface Attrs { packed: boolean; aligned: number }

const LAYOUT_ATTRS = new Set(['mode', 'vector_size', 'ms_struct', 'gcc_struct', 'scalar_storage_order', 'warn_if_not_aligned']);
const norm = (name: string) => name.replace(/^__(.*)__$/, '$1');

export class Declarations {
  private readonly tags = new Map<string, Entry>();
  private readonly typedefs = new Map<string, Entry>();
  private readonly constants = new Map<string, bigint>();
  /** Types the main file declares, as C names them, in order. */
  readonly declared: string[] = [];
  private packStack: number[] = [];
  private pack = 0;

  constructor(readonly abi: Abi, private readonly source: Source) {}

  /** A type by its C name: `struct foo`, `union u`, `enum e`, a typedef name, or `unsigned int`. */
  lookup(name: string): CType {
    const n = name.trim().replace(/\s+/g, ' ');
    const entry = /^(struct|union|enum) /.test(n) ? this.tags.get(n) : this.typedefs.get(n);
    if (entry) return entry.get();
    const builtin = arithmetic(this.abi, canonicalArithmetic(n.split(' ')) ?? '') ?? (this.source.builtinTypes ? standardType(this.abi, n) : undefined);
    if (builtin) return builtin;
    throw new CTypeError(`no type named '${n}' in ${this.source.mainFile}`);
  }

  walk(root: Node): void {
    checkSyntax(root, this.source);
    for (const node of root.namedChildren) {
      if (!node) continue;
      const inMain = this.origin(node).file === this.source.mainFile;
      try {
        this.topLevel(node, inMain);
      } catch (err) {
        if (inMain || !(err instanceof CTypeError)) throw err;
        this.deferError(node, err);
      }
    }
  }

  private origin(node: Node): Origin {
    return this.source.origins[node.startPosition.row] ?? { file: this.source.mainFile, line: node.startPosition.row + 1 };
  }

  private fail(node: Node, message: string): never {
    throw new CTypeError(message, this.origin(node));
  }

  /** A child the grammar always gives (an error, not a crash, if it ever does not). */
  private field(node: Node, name: string): Node {
    return node.childForFieldName(name) ?? this.fail(node, `incomplete ${node.type}: no ${name}`);
  }

  private nth(node: Node, i: number): Node {
    return node.namedChildren[i] ?? this.fail(node, `incomplete ${node.type}`);
  }

  private topLevel(node: Node, inMain: boolean): void {
    switch (node.type) {
      case 'preproc_call':
        this.directive(node);
        return;
      case 'type_definition':
        this.typedef(node, inMain);
        return;
      case 'struct_specifier': case 'union_specifier': case 'enum_specifier':
        this.specifier(node, inMain);
        return;
      case 'declaration': {
        const spec = node.childForFieldName('type');
        if (spec && /^(struct|union|enum)_specifier$/.test(spec.type) && spec.childForFieldName('body')) this.specifier(spec, inMain);
        return;
      }
      case 'function_definition': case 'comment': case 'preproc_def': case 'preproc_function_def':
      case 'expression_statement': // a stray ';'
        if (node.type === 'expression_statement' && node.text.trim() !== ';') break;
        return;
    }
    this.fail(node, `unsupported top-level construct (${node.type}): ${firstLine(node.text)}`);
  }

  /** Records an error against the names a failed header declaration would have defined. */
  private deferError(node: Node, err: CTypeError): void {
    const origin = this.origin(node);
    const get = () => { throw err; };
    const names: string[] = [];
    if (node.type === 'type_definition') {
      for (const d of node.childrenForFieldName('declarator')) if (d) names.push(...declaredName(d));
    }
    const spec = /_specifier$/.test(node.type) ? node : node.childForFieldName('type');
    const tag = spec && tagKey(spec);
    if (tag) this.tags.set(tag, { origin, get });
    for (const n of names) this.typedefs.set(n, { origin, get });
  }

  private directive(node: Node): void {
    const directive = node.childForFieldName('directive')?.text;
    const arg = node.childForFieldName('argument')?.text.trim() ?? '';
    if (directive !== '#pragma' || !/^pack\b/.test(arg)) return;
    const m = /^pack\s*\(\s*(.*?)\s*\)$/.exec(arg);
    if (!m) this.fail(node, `cannot read #pragma ${arg}`);
    const parts = m[1] ? m[1].split(/\s*,\s*/) : [];
    const value = (text: string) => {
      const v = Number(text);
      if (![1, 2, 4, 8, 16].includes(v)) this.fail(node, `#pragma pack value must be 1, 2, 4, 8 or 16, not '${text}'`);
      return v;
    };
    if (parts[0] === 'push') {
      if (parts.length > 2) this.fail(node, `#pragma pack(push, identifier, n) is not supported`);
      this.packStack.push(this.pack);
      if (parts.length === 2) this.pack = value(parts[1]);
    } else if (parts[0] === 'pop') {
      if (parts.length > 1) this.fail(node, `#pragma pack(pop, …) is not supported`);
      this.pack = this.packStack.pop() ?? 0;
    } else if (parts.length === 0) {
      this.pack = 0;
    } else if (parts.length === 1) {
      this.pack = value(parts[0]);
    } else {
      this.fail(node, `cannot read #pragma ${arg}`);
    }
  }

  private typedef(node: Node, inMain: boolean): void {
    const { base, attrs, alignas } = this.specifiers(node, inMain);
    if (attrs.packed) this.fail(node, `'packed' on a typedef is not supported (put it on the struct)`);
    for (const d of node.childrenForFieldName('declarator')) {
      if (!d) continue;
      const { name, type } = this.declarator(base, d);
      if (!name) this.fail(d, 'typedef without a name');
      if (type.kind === 'function') continue; // a function type: nothing to lay out
      if (this.typedefs.has(name)) {
        // C11 allows repeating a typedef of the same type (headers do).
        continue;
      }
      const align = attrs.aligned || alignas;
      const origin = this.origin(d);
      const resolve = (): CType => {
        if (type.kind === 'void') throw new CTypeError(`typedef '${name}' names void`, origin);
        let t: CType = type;
        // `typedef struct foo foo_t;` before struct foo's body: look the tag up again now.
        if (t.kind === 'opaque' && t.size < 0) t = this.tags.get(t.name)?.get() ?? t;
        return t.kind === 'opaque' && t.size < 0 ? t : { ...t, name, align: align || t.align };
      };
      this.typedefs.set(name, { origin, get: resolve });
      if (inMain) this.declared.push(name);
    }
  }

  /** Base type, attributes and _Alignas of a declaration's specifiers. */
  private specifiers(node: Node, inMain: boolean): { base: Pre; attrs: Attrs; alignas: number } {
    const spec = node.childForFieldName('type');
    if (!spec) this.fail(node, 'declaration without a type');
    let alignas = 0;
    const attrs: Attrs = { packed: false, aligned: 0 };
    for (const c of node.namedChildren) {
      if (!c) continue;
      if (c.type === 'attribute_specifier') this.attributes(c, attrs);
      else if (c.type === 'type_qualifier') {
        const a = c.namedChildren.find((x) => x?.type === 'alignas_qualifier');
        if (a) alignas = Math.max(alignas, this.alignasValue(a));
        else if (/_Atomic/.test(c.text)) this.fail(c, '_Atomic is not supported');
      } else if (c.type === 'ms_declspec_modifier' || c.type === 'attribute_declaration') {
        this.fail(c, `unsupported attribute: ${c.text}`);
      }
    }
    return { base: this.typeSpecifier(spec, inMain), attrs, alignas };
  }

  private alignasValue(node: Node): number {
    const arg = node.namedChildren[0];
    if (!arg) this.fail(node, 'empty _Alignas');
    if (arg.type === 'type_descriptor') return this.complete(this.typeDescriptor(arg), arg).align;
    const named = this.typeNamedBy(arg);
    return named ? named.align : this.alignValue(arg);
  }

  /** The grammar cannot tell `(T)` from `(x)`: an identifier that names a type is that type. */
  private typeNamedBy(expr: Node): CType | undefined {
    let e: Node | null = expr;
    while (e?.type === 'parenthesized_expression') e = e.namedChildren[0];
    if (e?.type !== 'identifier' || this.constants.has(e.text)) return undefined;
    const t = this.typeSpecifier(e, false);
    return this.complete(t, e);
  }

  private alignValue(expr: Node): number {
    const v = Number(this.evaluate(expr));
    if (!(v > 0 && (v & (v - 1)) === 0)) this.fail(expr, `alignment must be a power of two, not ${v}`);
    return v;
  }

  private attributes(node: Node, into: Attrs): void {
    const list = node.namedChildren.find((c) => c?.type === 'argument_list');
    for (const a of list?.namedChildren ?? []) {
      if (!a) continue;
      const name = norm(a.type === 'call_expression' ? a.childForFieldName('function')?.text ?? '' : a.text);
      const args = a.type === 'call_expression' ? a.childForFieldName('arguments')?.namedChildren ?? [] : [];
      if (name === 'packed') into.packed = true;
      else if (name === 'aligned') {
        const n = args[0] ? this.alignValue(args[0]) : this.abi.biggestAlign;
        into.aligned = Math.max(into.aligned, n);
      } else if (LAYOUT_ATTRS.has(name)) this.fail(a, `attribute '${name}' changes the layout and is not supported`);
    }
  }

  private typeSpecifier(spec: Node, inMain: boolean): Pre {
    switch (spec.type) {
      case 'primitive_type': case 'type_identifier': case 'identifier': {
        const name = spec.text;
        const entry = this.typedefs.get(name);
        if (entry) return entry.get();
        if (name === 'void') return { kind: 'void', name: 'void' };
        const t = arithmetic(this.abi, canonicalArithmetic([name]) ?? '') ?? (this.source.builtinTypes ? standardType(this.abi, name) : undefined);
        if (t) return t;
        return this.fail(spec, `unknown type name '${name}'`);
      }
      case 'sized_type_specifier': {
        const words = spec.children.flatMap((c) => (c && !c.isNamed ? [c.text] : []));
        const inner = spec.childForFieldName('type');
        if (inner) words.push(inner.text);
        const canonical = canonicalArithmetic(words);
        const t = canonical && arithmetic(this.abi, canonical);
        return t || this.fail(spec, `unsupported type '${spec.text}'`);
      }
      case 'struct_specifier': case 'union_specifier':
        return this.specifier(spec, inMain);
      case 'enum_specifier':
        return this.specifier(spec, inMain);
      default:
        return this.fail(spec, `unsupported type specifier (${spec.type}): ${firstLine(spec.text)}`);
    }
  }

  /** A struct/union/enum specifier: defines it when it has a body, else refers to it by tag. */
  private specifier(spec: Node, inMain: boolean): CType {
    const key = tagKey(spec);
    const body = spec.childForFieldName('body');
    if (!body) {
      if (!key) this.fail(spec, `${spec.type} without a name or body`);
      const entry = this.tags.get(key);
      if (entry) return entry.get();
      // Incomplete: fine behind a pointer, an error when laid out.
      return { kind: 'opaque', name: key, size: -1, align: 1 };
    }
    if (key && this.tags.has(key)) this.fail(spec, `redefinition of ${key}`);
    const attrs: Attrs = { packed: false, aligned: 0 };
    for (const c of spec.namedChildren) if (c?.type === 'attribute_specifier') this.attributes(c, attrs);
    const name = key ?? `${spec.type.split('_')[0]} <anonymous>`;
    const type = spec.type === 'enum_specifier' ? this.enumBody(name, body, attrs) : this.recordBody(spec.type === 'struct_specifier' ? 'struct' : 'union', name, body, attrs, inMain);
    if (key) {
      this.tags.set(key, { origin: this.origin(spec), get: () => type });
      if (inMain) this.declared.push(key);
    }
    return type;
  }

  private enumBody(name: string, body: Node, attrs: Attrs): CType {
    const enumerators: CEnumerator[] = [];
    let next = 0n;
    for (const e of body.namedChildren) {
      if (!e || e.type !== 'enumerator') {
        if (e && e.type !== 'comment') this.fail(e, `unexpected ${e.type} in enum`);
        continue;
      }
      const valueNode = e.childForFieldName('value');
      const value = valueNode ? this.evaluate(valueNode) : next;
      if (value >= 1n << 63n && !valueNode) this.fail(e, `enumerator ${e.text} overflows (past LLONG_MAX)`);
      const id = this.field(e, 'name').text;
      this.constants.set(id, value);
      enumerators.push({ name: id, value: value.toString() });
      next = value + 1n;
    }
    return layoutEnum(name, enumerators, attrs.packed, attrs.aligned);
  }

  private recordBody(kind: 'struct' | 'union', name: string, body: Node, attrs: Attrs, inMain: boolean): CType {
    const fields: FieldDecl[] = [];
    const decls = body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    decls.forEach((decl, i) => {
      if (decl.type !== 'field_declaration') this.fail(decl, `unsupported inside ${kind} (${decl.type}): ${firstLine(decl.text)}`);
      const { base, attrs: memberAttrs, alignas } = this.specifiers(decl, inMain);
      const packed = attrs.packed || memberAttrs.packed;
      const alignAttr = Math.max(memberAttrs.aligned, alignas);
      const children = decl.children.filter((c): c is Node => !!c);
      const declarators = children.filter((c, j) => decl.fieldNameForChild(j) === 'declarator');
      const gap = grammarGapWidth(decl);
      if (gap) declarators.push(gap); // `unsigned long : 3;` (see grammarGapWidth)
      if (declarators.length === 0) {
        const spec = this.field(decl, 'type');
        const anonymous = /^(struct|union)_specifier$/.test(spec.type) && !spec.childForFieldName('name') && spec.childForFieldName('body');
        if (anonymous) fields.push({ type: this.complete(base, decl), packed, alignAttr });
        else if (!spec.childForFieldName('body')) this.fail(decl, `member without a name: ${firstLine(decl.text)}`);
        return;
      }
      for (const d of declarators) {
        const clause = d === gap ? d : d.nextSibling?.type === 'bitfield_clause' ? d.nextSibling : undefined;
        const unnamed = (d.isMissing && !!clause) || d === gap; // tree-sitter-c has no rule for `int :3;`
        const { name, type } = unnamed ? { name: undefined, type: base } : this.declarator(base, d);
        const last = i === decls.length - 1 && d === declarators[declarators.length - 1];
        if (type.kind === 'array' && type.flexible && !(last && kind === 'struct')) this.fail(d, `flexible array member '${name}' must be the last member of a struct`);
        const field: FieldDecl = { ...(name !== undefined && { name }), type: this.complete(type, d), packed, alignAttr, ...(type.kind === 'array' && type.flexible && { flexible: true }) };
        if (clause) {
          const t = field.type;
          if (!(t.kind === 'int' || t.kind === 'bool' || t.kind === 'enum')) this.fail(clause, `bit-field '${name ?? '(unnamed)'}' must have an integer type`);
          if (alignAttr) this.fail(clause, `alignment on bit-field '${name ?? '(unnamed)'}' is not supported`);
          const width = Number(this.evaluate(this.nth(clause, 0)));
          if (width < 0 || width > t.size * 8) this.fail(clause, `bit-field width ${width} does not fit ${t.name}`);
          if (width === 0 && name !== undefined) this.fail(clause, `zero-width bit-field '${name}' must be unnamed`);
          field.bits = width;
        }
        fields.push(field);
      }
    });
    return layoutRecord(this.abi, { kind, name, fields, alignAttr: attrs.aligned, pack: this.pack });
  }

  /** Applies a declarator to a base type: `*p`, `a[2][3]`, `(*fp)(int)`. */
  private declarator(base: Pre, node: Node | null): { name?: string; type: Pre } {
    if (!node) return { type: base };
    switch (node.type) {
      case 'identifier': case 'field_identifier': case 'type_identifier': case 'primitive_type':
        return { name: node.text, type: base };
      case 'pointer_declarator': case 'abstract_pointer_declarator':
        return this.declarator(pointerTo(base), node.childForFieldName('declarator'));
      case 'array_declarator': case 'abstract_array_declarator': {
        const size = node.childForFieldName('size');
        const count = size ? Number(this.evaluate(size)) : 0;
        if (count < 0 || !Number.isSafeInteger(count)) this.fail(node, `bad array size ${count}`);
        const element = this.complete(base, node);
        if (element.kind === 'array' && element.flexible) this.fail(node, 'array of flexible arrays');
        const type: CType = { kind: 'array', name: size ? arrayName(element, count) : `${element.name} []`, size: element.size * count, align: element.align, element, count, ...(!size && { flexible: true }) };
        return this.declarator(type, node.childForFieldName('declarator'));
      }
      case 'function_declarator': case 'abstract_function_declarator':
        return this.declarator({ kind: 'function', name: `${base.name} ()` }, node.childForFieldName('declarator'));
      case 'parenthesized_declarator': case 'abstract_parenthesized_declarator':
        return this.declarator(base, node.namedChildren.find((c) => c && c.type !== 'attribute_specifier') ?? null);
      default:
        return this.fail(node, `unsupported declarator (${node.type}): ${firstLine(node.text)}`);
    }
  }

  /** A type that must have a size here (not void, a function, or an incomplete struct). */
  private complete(t: Pre, at: Node): CType {
    if (t.kind === 'void' || t.kind === 'function') this.fail(at, `'${t.name}' has no size`);
    if (t.kind === 'opaque' && t.size < 0) this.fail(at, `${t.name} is incomplete here (declared but not defined)`);
    return t;
  }

  private typeDescriptor(node: Node): Pre {
    const spec = node.childForFieldName('type');
    if (!spec) this.fail(node, 'type without a specifier');
    return this.declarator(this.typeSpecifier(spec, false), node.childForFieldName('declarator')).type;
  }

  /** An integer constant expression. */
  evaluate(node: Node): bigint {
    try {
      return this.evaluateNode(node);
    } catch (err) {
      if (err instanceof CTypeError) throw err;
      this.fail(node, (err as Error).message);
    }
  }

  private evaluateNode(node: Node): bigint {
    const sub = (n: Node | null) => (n ? this.evaluateNode(n) : this.fail(node, 'incomplete expression'));
    switch (node.type) {
      case 'number_literal': {
        const v = parseIntLiteral(node.text);
        return v ?? this.fail(node, `not an integer constant: ${node.text}`);
      }
      case 'char_literal': return parseCharLiteral(node.text) ?? this.fail(node, `unsupported character constant ${node.text}`);
      case 'parenthesized_expression': return sub(node.namedChildren[0]);
      case 'identifier': {
        const v = this.constants.get(node.text);
        return v ?? this.fail(node, `'${node.text}' is not a known constant`);
      }
      case 'unary_expression': {
        const op = this.field(node, 'operator').type;
        const arg = node.childForFieldName('argument');
        const v = sub(arg);
        if (op === '~' && arg && unsignedWidth(arg)) return BigInt.asUintN(unsignedWidth(arg), ~v);
        return unary(op, v);
      }
      case 'binary_expression':
        return binary(this.field(node, 'operator').type, sub(node.childForFieldName('left')), sub(node.childForFieldName('right')));
      case 'conditional_expression':
        return sub(node.childForFieldName('condition')) !== 0n ? sub(node.childForFieldName('consequence')) : sub(node.childForFieldName('alternative'));
      case 'sizeof_expression': case 'alignof_expression': {
        const value = node.childForFieldName('value');
        const named = value && this.typeNamedBy(value);
        if (named) return BigInt(node.type === 'sizeof_expression' ? named.size : named.align);
        const td = node.childForFieldName('type');
        if (!td) this.fail(node, `${node.type === 'sizeof_expression' ? 'sizeof' : '_Alignof'} of an expression is not supported (use a type)`);
        const t = this.complete(this.typeDescriptor(td), td);
        return BigInt(node.type === 'sizeof_expression' ? t.size : t.align);
      }
      case 'offsetof_expression': {
        const td = this.field(node, 'type');
        const member = this.field(node, 'member').text;
        const f = flattenFields(this.complete(this.typeDescriptor(td), td)).find((x) => x.path === member && x.bitSize === undefined);
        return f ? BigInt(f.offset) : this.fail(node, `no member '${member}' to take offsetof`);
      }
      case 'cast_expression': {
        const t = this.complete(this.typeDescriptor(this.field(node, 'type')), node);
        const v = sub(node.childForFieldName('value'));
        if (t.kind !== 'int' && t.kind !== 'enum') this.fail(node, `cast to ${t.name} in a constant expression`);
        return t.signed ? BigInt.asIntN(t.size * 8, v) : BigInt.asUintN(t.size * 8, v);
      }
      default:
        return this.fail(node, `unsupported in a constant expression (${node.type}): ${firstLine(node.text)}`);
    }
  }
}

/**
 * tree-sitter-c has no rule for unnamed bit-fields: after `int` it inserts a MISSING name
 * before the bitfield_clause, but after `unsigned long` or `long long` it wraps `: 3` in an
 * ERROR node. That exact shape (a member without declarator whose ERROR is `: <expr>`) is an
 * unnamed bit-field; the returned node holds the width expression as its only named child.
 */
function grammarGapWidth(decl: Node): Node | undefined {
  if (decl.type !== 'field_declaration' || decl.childForFieldName('declarator')) return undefined;
  const err = decl.namedChildren.find((c) => c?.isError);
  return err && err.firstChild?.type === ':' && err.namedChildCount === 1 && !err.namedChildren[0]?.hasError ? err : undefined;
}

/** Any ERROR or MISSING node (except the unnamed bit-fields the grammar lacks) is an error. */
function checkSyntax(root: Node, source: Source): void {
  if (!root.hasError) return;
  const visit = (n: Node): void => {
    if (n.isError && n.parent && grammarGapWidth(n.parent)?.id === n.id) return; // wrappers are new objects: compare ids
    if (n.isError || (n.isMissing && !(n.type === 'field_identifier' && n.nextSibling?.type === 'bitfield_clause'))) {
      const o = source.origins[n.startPosition.row] ?? { file: source.mainFile, line: n.startPosition.row + 1 };
      const what = n.isMissing ? `missing ${n.type}` : `cannot parse '${firstLine(n.text).slice(0, 60)}'`;
      throw new CTypeError(`syntax error: ${what}`, o);
    }
    for (const c of n.children) if (c && (c.hasError || c.isMissing)) visit(c);
  };
  visit(root);
}

/** The canonical spelling of an arithmetic type from its words, or undefined. */
function canonicalArithmetic(words: string[]): string | undefined {
  const w = words.filter((x) => x !== 'signed' && x !== 'unsigned' && x !== 'int');
  const unsigned = words.includes('unsigned');
  const signed = words.includes('signed');
  const hasInt = words.includes('int');
  const longs = w.filter((x) => x === 'long').length;
  const rest = w.filter((x) => x !== 'long');
  const u = unsigned ? 'unsigned ' : '';
  if (rest.length === 0) {
    if (longs === 0 && (hasInt || signed || unsigned)) return `${u}int`;
    if (longs === 1) return `${u}long`;
    if (longs === 2) return `${u}long long`;
    return undefined;
  }
  if (rest.length > 1) return undefined;
  const [r] = rest;
  if (r === 'short' && longs === 0) return `${u}short`;
  if (r === 'char' && longs === 0 && !hasInt) return unsigned ? 'unsigned char' : signed ? 'signed char' : 'char';
  if (r === '__int128' && longs === 0 && !hasInt) return `${u}__int128`;
  if (r === 'double' && longs <= 1 && !hasInt && !signed && !unsigned) return longs ? 'long double' : 'double';
  if ((r === 'float' || r === '_Bool') && longs === 0 && words.length === 1) return r;
  if (r === 'bool' && words.length === 1) return '_Bool';
  return undefined;
}

function pointerTo(base: Pre): CType {
  const target = base.name;
  return { kind: 'pointer', name: base.kind === 'function' ? `${target.replace(/ \(\)$/, '')} (*)()` : `${target} *`, size: 8, align: 8, target };
}

function arrayName(element: CType, count: number): string {
  if (element.kind === 'array') {
    const i = element.name.indexOf(' [');
    return `${element.name.slice(0, i)} [${count}]${element.name.slice(i + 1)}`;
  }
  return `${element.name} [${count}]`;
}

function tagKey(spec: Node): string | undefined {
  const kind = /^(struct|union|enum)_specifier$/.exec(spec.type)?.[1];
  const name = spec.childForFieldName('name')?.text;
  return kind && name ? `${kind} ${name}` : undefined;
}

function declaredName(d: Node): string[] {
  if (['type_identifier', 'primitive_type', 'identifier'].includes(d.type)) return [d.text];
  const inner = d.childForFieldName('declarator') ?? d.namedChildren.find((c) => c && /declarator|identifier/.test(c.type));
  return inner ? declaredName(inner) : [];
}

/** Bits of an unsigned literal operand of `~` (`~0u` is 0xffffffff, not -1), 0 if signed. */
function unsignedWidth(n: Node): number {
  const lits = n.type === 'number_literal' ? [n] : n.descendantsOfType('number_literal').filter((x): x is Node => !!x);
  const u = lits.filter((l) => /[uU]/.test(l.text));
  if (!u.length) return 0;
  return lits.some((l) => /[lL]/.test(l.text)) ? 64 : 32;
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

