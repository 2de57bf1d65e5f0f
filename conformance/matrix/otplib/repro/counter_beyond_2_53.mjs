// RFC 4226: the counter is 8 bytes. otplib refuses counters above Number.MAX_SAFE_INTEGER, so
// an HOTP counter past 2^53 (RFC 4226 allows up to 2^64 - 1) has no code.
import { generateSync } from "otplib";

const secret = Uint8Array.from(Buffer.from("3132333435363738393031323334353637383930", "hex"));
try {
  const code = generateSync({ strategy: "hotp", secret, counter: 2 ** 53, digits: 6 });
  console.log(`counter 2^53: ${code}`);
  process.exit(1);
} catch (e) {
  console.log(`counter 2^53: ${e.name}: ${e.message}`);
}
