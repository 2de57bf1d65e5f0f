// The conformance adapter of otpauth: it translates the stdio adapter protocol
// (spec/adapter-protocol.md) into calls of otpauth's public API, and nothing more. Codes,
// verification windows, base32 and Key URIs are otpauth's; the adapter converts the
// protocol's hex secrets with otpauth's own Secret.fromHex, times to the milliseconds otpauth
// takes, and otpauth's answers to the protocol's. otpauth has no T0: those cases are
// answered `unsupported`.
import * as OTPAuth from "otpauth";
import { Refused, Unsupported, serve } from "../protocol.mjs";

const num = (v) => Number(v); // otpauth takes JavaScript numbers

function secret(hex) {
  try {
    return OTPAuth.Secret.fromHex(hex);
  } catch {
    throw new Refused("invalid_secret");
  }
}

function params(inp) {
  return { secret: secret(inp.secret), algorithm: inp.algorithm, digits: num(inp.digits) };
}

function timed(inp) {
  if (num(inp.t0) !== 0) throw new Unsupported(); // otpauth counts steps from the Unix epoch
  return { ...params(inp), period: num(inp.period), timestamp: num(inp.time) * 1000 };
}

function verify(inp) {
  const p = timed(inp);
  const delta = OTPAuth.TOTP.validate({ ...p, token: inp.candidate, window: num(inp.window) });
  if (delta === null) return { step: null };
  return { step: BigInt(OTPAuth.TOTP.counter(p)) + BigInt(delta) };
}

function verifyTiming(inp) {
  const p = timed(inp);
  const ns = [];
  for (const c of inp.order) {
    const token = inp.candidates[Number(c)];
    const start = process.hrtime.bigint();
    OTPAuth.TOTP.validate({ ...p, token, window: num(inp.window) });
    ns.push(Number(process.hrtime.bigint() - start));
  }
  return { ns };
}

function parseUri(uri) {
  let otp;
  try {
    otp = OTPAuth.URI.parse(uri);
  } catch {
    throw new Refused("malformed");
  }
  const hotp = otp instanceof OTPAuth.HOTP;
  return {
    type: hotp ? "hotp" : "totp",
    issuer: otp.issuer === "" ? null : otp.issuer, // otpauth's "no issuer" is ""
    name: otp.label,
    secret: otp.secret.hex.toLowerCase(), // the protocol writes hex in lower case
    algorithm: otp.algorithm,
    digits: otp.digits,
    [hotp ? "counter" : "period"]: hotp ? otp.counter : otp.period,
  };
}

function emitUri(a) {
  const common = { issuer: a.issuer ?? "", label: a.name, ...params(a) };
  const otp =
    a.type === "hotp"
      ? new OTPAuth.HOTP({ ...common, counter: num(a.counter) })
      : new OTPAuth.TOTP({ ...common, period: num(a.period) });
  return { uri: otp.toString() };
}

function decode(text) {
  try {
    return { secret: OTPAuth.Secret.fromBase32(text).hex.toLowerCase() };
  } catch {
    throw new Refused("invalid_secret");
  }
}

async function handle(op, inp) {
  switch (op) {
    case "hotp.generate":
      return { code: OTPAuth.HOTP.generate({ ...params(inp), counter: num(inp.counter) }) };
    case "totp.generate":
      return { code: OTPAuth.TOTP.generate(timed(inp)) };
    case "totp.batch":
      return { codes: inp.secrets.map((s) => OTPAuth.TOTP.generate(timed({ ...inp, t0: 0, secret: s }))) };
    case "totp.verify":
      return verify(inp);
    case "totp.verify_timing":
      return verifyTiming(inp);
    case "secret.decode":
      return decode(inp.text);
    case "uri.parse":
      return parseUri(inp.uri);
    case "uri.emit":
      return emitUri(inp.account);
    default:
      throw new Unsupported();
  }
}

serve(handle);
