// The conformance adapter of otplib (v13, its functional API with the default plugins and
// guardrails): it translates the stdio adapter protocol (spec/adapter-protocol.md) into calls
// of otplib's public API, and nothing more. Codes, windows, base32 (otplib's default
// ScureBase32Plugin) and Key URI writing are otplib's; the adapter passes secrets as the
// bytes otplib accepts, algorithm names in the lower case otplib's types use, a window of w
// steps as otplib's tolerance of w periods, and otplib's answers back. otplib's URI parser
// returns the raw label and parameters, not an account (it leaves splitting the label and
// the defaults to the caller), so `uri.parse` is answered `unsupported`.
import { ScureBase32Plugin, generateSync, generateURI, verifySync } from "otplib";
import { Refused, Unsupported, serve } from "../protocol.mjs";

const base32 = new ScureBase32Plugin();
const num = (v) => Number(v); // otplib takes JavaScript numbers

function algorithm(name) {
  const lower = String(name).toLowerCase();
  if (!["sha1", "sha256", "sha512"].includes(lower)) throw new Refused("invalid_parameter");
  return lower;
}

function params(inp) {
  return {
    secret: Uint8Array.from(Buffer.from(inp.secret, "hex")),
    algorithm: algorithm(inp.algorithm),
    digits: num(inp.digits),
  };
}

function timed(inp) {
  return { ...params(inp), period: num(inp.period), epoch: num(inp.time), t0: num(inp.t0) };
}

function verify(inp) {
  const p = timed(inp);
  const result = verifySync({ ...p, token: inp.candidate, epochTolerance: num(inp.window) * p.period });
  return { step: result.valid ? result.timeStep : null };
}

function verifyTiming(inp) {
  const p = { ...timed(inp), epochTolerance: num(inp.window) * num(inp.period) };
  const ns = [];
  for (const c of inp.order) {
    const token = inp.candidates[Number(c)];
    const start = process.hrtime.bigint();
    verifySync({ ...p, token });
    ns.push(Number(process.hrtime.bigint() - start));
  }
  return { ns };
}

function emitUri(a) {
  const p = params(a);
  const uri = generateURI({
    strategy: a.type,
    issuer: a.issuer ?? undefined,
    label: a.name,
    secret: base32.encode(p.secret),
    algorithm: p.algorithm,
    digits: p.digits,
    ...(a.type === "hotp" ? { counter: num(a.counter) } : { period: num(a.period) }),
  });
  return { uri };
}

function decode(text) {
  try {
    return { secret: Buffer.from(base32.decode(text)).toString("hex") };
  } catch {
    throw new Refused("invalid_secret");
  }
}

async function handle(op, inp) {
  switch (op) {
    case "hotp.generate":
      return { code: generateSync({ ...params(inp), strategy: "hotp", counter: num(inp.counter) }) };
    case "totp.generate":
      return { code: generateSync(timed(inp)) };
    case "totp.batch":
      return { codes: inp.secrets.map((s) => generateSync(timed({ ...inp, t0: 0, secret: s }))) };
    case "totp.verify":
      return verify(inp);
    case "totp.verify_timing":
      return verifyTiming(inp);
    case "secret.decode":
      return decode(inp.text);
    case "uri.emit":
      return emitUri(inp.account);
    default:
      throw new Unsupported(); // uri.parse: see above; the backup profiles are not otplib's
  }
}

serve(handle);
