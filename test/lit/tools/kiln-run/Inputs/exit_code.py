"""exit_code.py N CMD ARGS...: runs CMD (stdout/stderr passed through) and
succeeds iff it exits with code N."""
import subprocess
import sys

want = int(sys.argv[1])
got = subprocess.call(sys.argv[2:])
if got != want:
    print(f"exit_code.py: expected exit code {want}, got {got}",
          file=sys.stderr)
    sys.exit(1)
