# The Key URI format: "the issuer prefix and account name should be separated by a literal or
# url-encoded colon". pyotp splits the label on a literal colon only.
import pyotp

otp = pyotp.parse_uri("otpauth://totp/Example%3Aalice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
print(f"issuer={otp.issuer!r} name={otp.name!r}; expected issuer='Example' name='alice'")
raise SystemExit(0 if (otp.issuer, otp.name) != ("Example", "alice") else 1)
