// The stdio adapter protocol (spec/adapter-protocol.md) for the JavaScript adapters of the
// matrix: one JSON request per line in, one JSON answer per line out. Integers beyond 2^53
// arrive as BigInt (their digits are kept before JSON.parse could round them, so nothing is
// rounded before the library sees it); an adapter's handler returns the output, or throws
// Refused or Unsupported.
import { createInterface } from "node:readline";

/** An error answer with a code of spec/errors.md. */
export class Refused extends Error {
  constructor(code) {
    super(code);
    this.code = code;
  }
}

/** The library has no way to do what the request asks. */
export class Unsupported extends Error {}

const BIG = "\u0000bigint:";

/** The request line with every integer beyond 2^53 outside strings quoted and marked, so that
 * JSON.parse keeps its digits (any Node.js version; no source-text access needed). */
function markBigIntegers(line) {
  let out = "";
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      out += c;
      if (c === "\\") out += line[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (/[-0-9]/.test(c)) {
      let j = i + 1;
      while (j < line.length && /[0-9.eE+-]/.test(line[j])) j++;
      const token = line.slice(i, j);
      const big = /^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token));
      out += big ? JSON.stringify(BIG + token) : token;
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

function revive(key, value) {
  return typeof value === "string" && value.startsWith(BIG) ? BigInt(value.slice(BIG.length)) : value;
}

function replace(key, value) {
  return typeof value === "bigint" ? BIG + value.toString() : value;
}

/** JSON text of `value`, BigInts written as JSON numbers. */
function stringify(value) {
  return JSON.stringify(value, replace).replace(/"\\u0000bigint:(-?\d+)"/g, "$1");
}

/** Serves requests with `handle(op, input)` until standard input ends. */
export async function serve(handle) {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const request = JSON.parse(markBigIntegers(line), revive);
    let answer;
    try {
      answer = { id: request.id, ok: await handle(request.op, request.input) };
    } catch (e) {
      if (e instanceof Refused) answer = { id: request.id, error: e.code };
      else if (e instanceof Unsupported) answer = { id: request.id, unsupported: true };
      else answer = { id: request.id, error: "invalid_parameter", message: String(e?.name ?? "Error") };
    }
    process.stdout.write(stringify(answer) + "\n");
  }
}
