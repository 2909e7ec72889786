// Integer arithmetic of C constant expressions (array sizes, enum values, aligned(N), #if), in
// BigInt so 64-bit enumerators stay exact. Shared by the declaration walker and the small
// preprocessor so both agree on every operator.

/** A C integer literal: decimal, 0x, 0b, octal, with u/l suffixes; undefined if not one. */
export function parseIntLiteral(text: string): bigint | undefined {
  // tree-sitter-c makes `-5` one number_literal.
  const sign = /^\s*-\s*/.exec(text);
  if (sign) {
    const v = parseIntLiteral(text.slice(sign[0].length));
    return v === undefined ? undefined : -v;
  }
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$/.exec(text.replace(/'/g, ''));
  if (!m) return undefined;
  const digits = m[1];
  if (/^0[0-7]+$/.test(digits)) return BigInt('0o' + digits.slice(1));
  return BigInt(digits);
}

/** A character literal's value ('a', '\n', '\x41', '\0'); undefined if not a simple one. */
export function parseCharLiteral(text: string): bigint | undefined {
  const m = /^'(\\?.[^']*)'$/.exec(text);
  if (!m) return undefined;
  const body = m[1];
  if (!body.startsWith('\\')) return body.length === 1 ? BigInt(body.charCodeAt(0)) : undefined;
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
  if (body.length === 2 && body[1] in esc) return BigInt(esc[body[1]]);
  if (/^\\x[0-9a-fA-F]+$/.test(body)) return BigInt('0x' + body.slice(2));
  if (/^\\[0-7]{1,3}$/.test(body)) return BigInt('0o' + body.slice(1));
  return undefined;
}

const bool = (b: boolean) => (b ? 1n : 0n);

/** a OP b; throws Error('...') for division by zero or an unknown operator. */
export function binary(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': case '%':
      if (b === 0n) throw new Error('division by zero in a constant expression');
      return op === '/' ? a / b : a % b;
    case '<<': return a << b;
    case '>>': return a >> b;
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '&&': return bool(a !== 0n && b !== 0n);
    case '||': return bool(a !== 0n || b !== 0n);
    case '==': return bool(a === b);
    case '!=': return bool(a !== b);
    case '<': return bool(a < b);
    case '>': return bool(a > b);
    case '<=': return bool(a <= b);
    case '>=': return bool(a >= b);
    default: throw new Error(`operator ${op} is not supported in a constant expression`);
  }
}

export function unary(op: string, a: bigint): bigint {
  switch (op) {
    case '-': return -a;
    case '+': return a;
    case '~': return ~a;
    case '!': return bool(a === 0n);
    default: throw new Error(`operator ${op} is not supported in a constant expression`);
  }
}
