# pyotp raises instead of verifying when the window reaches below step 0 (RFC 6238 section 5.2:
# a window is the steps around the current one; there is no step -1 to check, step 1 is).
import base64

import pyotp

totp = pyotp.TOTP(base64.b32encode(b"12345678901234567890").decode(), digits=8)
code_of_step_1 = totp.at(30)  # "94287082", RFC 6238 Appendix B's secret
try:
    print("matched:", totp.verify(code_of_step_1, for_time=7, valid_window=1))
    raise SystemExit(1)  # fixed: the code of step 1 matched at step 0
except ValueError as e:
    print(f"verify({code_of_step_1!r}, for_time=7, valid_window=1) raised ValueError: {e}")
