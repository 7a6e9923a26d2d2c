"""check_npy.py GOT.npy WANT.npy: same dtype, shape and values."""
import sys

import numpy as np

got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
assert got.dtype == want.dtype, (got.dtype, want.dtype)
assert got.shape == want.shape, (got.shape, want.shape)
assert np.array_equal(got, want), (got, want)
print("ok", got.dtype, list(got.shape))
