# The Key URI format: "optional spaces may precede the account name". pyotp keeps them.
import pyotp

otp = pyotp.parse_uri("otpauth://totp/Example:%20%20alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
print(f"issuer={otp.issuer!r} name={otp.name!r}; expected issuer='Example' name='alice'")
raise SystemExit(0 if otp.name != "alice" else 1)
