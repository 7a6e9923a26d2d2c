"""Reads `llvm-readelf --needed-libs` output on stdin; fails unless every
needed library is libc, libm, libpthread or the dynamic loader."""
import re
import sys

libs = [l.strip() for l in sys.stdin if re.match(r"\s+\S+\.so", l)]
allowed = re.compile(r"^(libc|libm|libpthread)\.so\.\d+$|^ld-linux")
bad = [l for l in libs if not allowed.match(l)]
print("needed:", " ".join(libs))
if bad or not libs:
    print("unexpected:", " ".join(bad), file=sys.stderr)
    sys.exit(1)
