// A verification window at step 0 has no step -1 (RFC 6238 section 5.2). otpauth checks
// counter -1, which its HMAC input turns into 2^64 - 1: the code of step 2^64 - 1 is accepted
// at time 7, window 1.
import * as OTPAuth from "otpauth";

const secret = OTPAuth.Secret.fromHex("3132333435363738393031323334353637383930");
const delta = OTPAuth.TOTP.validate({ token: "63094451", secret, algorithm: "SHA1", digits: 8, period: 30, timestamp: 7000, window: 1 });
console.log(`validate("63094451" = the code of step 2^64 - 1, time 7, window 1) = ${delta}; expected null`);
process.exit(delta !== null ? 0 : 1);
