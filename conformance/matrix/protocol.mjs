// The stdio adapter protocol (spec/adapter-protocol.md) for the JavaScript adapters of the
// matrix: one JSON request per line in, one JSON answer per line out. Integers beyond 2^53
// arrive as BigInt (read from the number's source text, so nothing is rounded before the
// library sees it); an adapter's handler returns the output, or throws Refused or
// Unsupported.
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

function revive(key, value, context) {
  if (typeof value === "number" && !Number.isSafeInteger(value) && /^-?\d+$/.test(context?.source ?? "")) {
    return BigInt(context.source);
  }
  return value;
}

const BIG = "\u0000bigint:";

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
    const request = JSON.parse(line, revive);
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
