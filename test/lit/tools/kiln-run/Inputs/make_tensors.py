"""Writes the tensor files the kiln-run tests use into DIR.

The fake model (test/unit/fake_model): a:[2,3] f32, b:[3] f32 -> y = a + b.
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

d = sys.argv[1]
os.makedirs(d, exist_ok=True)
a = np.arange(6, dtype=np.float32).reshape(2, 3)
b = np.array([10, 20, 30], dtype=np.float32)
y = a + b


def save_pb(name, tensor):
    with open(os.path.join(d, name), "wb") as f:
        f.write(tensor.SerializeToString())


np.save(os.path.join(d, "a.npy"), a)
np.save(os.path.join(d, "b.npy"), b)
np.save(os.path.join(d, "y.npy"), y)
y_off = y.copy()
y_off[1, 2] += 0.5
np.save(os.path.join(d, "y_off.npy"), y_off)
np.save(os.path.join(d, "y_close.npy"), y * (1 + 1e-5))
# NaN in the input (and so in y at [0,1]); references with and without it.
a_nan = a.copy()
a_nan[0, 1] = np.nan
np.save(os.path.join(d, "a_nan.npy"), a_nan)
np.save(os.path.join(d, "y_nan.npy"), a_nan + b)
y_nan_moved = y.copy()
y_nan_moved[1, 0] = np.nan
np.save(os.path.join(d, "y_nan_moved.npy"), y_nan_moved)
np.save(os.path.join(d, "a_shape.npy"), a.reshape(3, 2))
np.save(os.path.join(d, "a_i64.npy"), a.astype(np.int64))
np.save(os.path.join(d, "a_fortran.npy"), np.asfortranarray(a))
np.save(os.path.join(d, "a_f64.npy"), a.astype(np.float64))
with open(os.path.join(d, "not_npy.npy"), "wb") as f:
    f.write(b"hello")
with open(os.path.join(d, "truncated.npy"), "wb") as f:
    f.write(open(os.path.join(d, "a.npy"), "rb").read()[:-4])

# raw_data (numpy_helper) and typed float_data (make_tensor).
save_pb("a.pb", numpy_helper.from_array(a, "a"))
save_pb("b.pb", onnx.helper.make_tensor("b", onnx.TensorProto.FLOAT, [3],
                                        [10.0, 20.0, 30.0]))
save_pb("y.pb", numpy_helper.from_array(y, "y"))
save_pb("a_i64.pb", numpy_helper.from_array(a.astype(np.int64), "a"))
short = onnx.TensorProto(name="b", data_type=onnx.TensorProto.FLOAT, dims=[3])
short.float_data.extend([1.0, 2.0])
save_pb("b_short.pb", short)
with open(os.path.join(d, "junk.pb"), "wb") as f:
    f.write(b"\xff\xff\xff\xff")

# An ONNX test_data_set directory.
ds = os.path.join(d, "test_data_set_0")
os.makedirs(ds, exist_ok=True)
save_pb("test_data_set_0/input_0.pb", numpy_helper.from_array(a, "a"))
save_pb("test_data_set_0/input_1.pb", numpy_helper.from_array(b, "b"))
save_pb("test_data_set_0/output_0.pb", numpy_helper.from_array(y, "y"))
