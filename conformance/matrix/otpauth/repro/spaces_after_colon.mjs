// The Key URI format: "optional spaces may precede the account name". otpauth keeps them.
import * as OTPAuth from "otpauth";

const otp = OTPAuth.URI.parse("otpauth://totp/Example:%20%20alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
console.log(`issuer=${JSON.stringify(otp.issuer)} label=${JSON.stringify(otp.label)}; expected label "alice"`);
process.exit(otp.label !== "alice" ? 0 : 1);
