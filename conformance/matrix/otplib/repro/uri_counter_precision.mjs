// RFC 4226's counter is 8 bytes, and a Key URI may carry any of them. otplib writes the counter
// from a JavaScript number: 18446744073709551615 is written as 18446744073709552000.
import { generateURI } from "otplib";

const uri = generateURI({ strategy: "hotp", issuer: "", label: "bob", secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", counter: 18446744073709551615 });
console.log(`${uri.match(/counter=\d+/)[0]}; expected counter=18446744073709551615`);
process.exit(uri.includes("counter=18446744073709551615") ? 1 : 0);
