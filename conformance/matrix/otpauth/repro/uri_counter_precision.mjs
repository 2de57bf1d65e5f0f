// RFC 4226's counter is 8 bytes, and a Key URI may carry any of them. otpauth reads and writes
// the counter as a JavaScript number: 18446744073709551615 becomes 18446744073709552000.
import * as OTPAuth from "otpauth";

const uri = "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=18446744073709551615";
const otp = OTPAuth.URI.parse(uri);
console.log(`parsed counter: ${otp.counter}; written back: ${otp.toString().match(/counter=\d+/)[0]}; expected 18446744073709551615`);
process.exit(String(otp.counter) !== "18446744073709551615" ? 0 : 1);
