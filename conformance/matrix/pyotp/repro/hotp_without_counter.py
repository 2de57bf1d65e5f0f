# The Key URI format: counter is "REQUIRED if type is hotp". pyotp takes a URI without one and
# starts at counter 0, so its codes are not the issuer's if the issuer meant another counter.
import pyotp

otp = pyotp.parse_uri("otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
print(f"accepted: {type(otp).__name__} with initial_count={otp.initial_count}; expected a refusal")
