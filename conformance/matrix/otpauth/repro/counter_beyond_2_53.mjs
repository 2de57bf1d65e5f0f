// RFC 4226: the counter is 8 bytes. otpauth takes it as a JavaScript number, so counters above
// 2^53 are rounded before the HMAC: counter 2^53 + 1 gives the code of 2^53.
import * as OTPAuth from "otpauth";

const secret = OTPAuth.Secret.fromHex("3132333435363738393031323334353637383930");
const code = (counter) => OTPAuth.HOTP.generate({ secret, algorithm: "SHA1", digits: 7, counter });
const above = code(9007199254740993); // the literal is already 2^53 in JavaScript
console.log(`counter 9007199254740993: ${above}; RFC 4226 gives 0354518 (otpauth gives the code of 2^53: ${code(2 ** 53)})`);
process.exit(above !== "0354518" ? 0 : 1);
