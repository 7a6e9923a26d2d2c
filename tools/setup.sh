#!/usr/bin/env bash
# Kiln set-up on Debian 12: installs what is missing (apt packages, the
# Python venv at .venv with pinned onnx/onnxruntime/numpy), configures and
# builds into build/ (tools in build/bin/), then compiles the bundled example
# model to a .so, runs it with kiln-run and compares it with ONNX Runtime.
# Idempotent: quick when everything is already there.
#
#   tools/setup.sh            # everything
#   KILN_JOBS=4 tools/setup.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
JOBS=${KILN_JOBS:-2}
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. Debian packages.
APT_PKGS=(llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
          liblld-22-dev binutils gcc-aarch64-linux-gnu libc6-dev-arm64-cross
          gcc-arm-linux-gnueabihf libc6-dev-armhf-cross gcc-riscv64-linux-gnu
          libc6-dev-riscv64-cross gcc-arm-none-eabi libnewlib-arm-none-eabi
          qemu-user qemu-system-arm libprotobuf-dev protobuf-compiler cmake ninja-build ccache
          libgtest-dev python3 python3-venv python3-pip time)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. Python venv with pinned packages.
PY=${KILN_HOST_PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  "$PY" -m venv .venv
fi
REQ_HASH=$(sha256sum tools/requirements.txt | cut -d' ' -f1)
if [ "$(cat .venv/.kiln-req 2>/dev/null)" != "$REQ_HASH" ]; then
  log "installing Python packages (tools/requirements.txt)"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r tools/requirements.txt
  echo "$REQ_HASH" > .venv/.kiln-req
fi

# 3. Configure and build.
if [ ! -f build/build.ninja ]; then
  log "configuring build/"
  cmake -G Ninja -S . -B build \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DKILN_PYTHON="$ROOT/.venv/bin/python" >/dev/null
fi
# ccache keys on paths relative to the checkout, so clones share the cache.
export CCACHE_BASEDIR="$ROOT"
log "building (ninja -j$JOBS)"
ninja -C build -j"$JOBS"
test -x build/bin/kiln-compile

# 4. The example model: compile it to a .so, run it, compare with ONNX Runtime.
EX=examples/tiny_cnn
mkdir -p build/examples
log "example: kiln-compile $EX/model.onnx -o build/examples/tiny_cnn.so"
build/bin/kiln-compile "$EX/model.onnx" --summary
build/bin/kiln-compile "$EX/model.onnx" -o build/examples/tiny_cnn.so
.venv/bin/python - <<'PY'
import numpy as np, onnxruntime as ort
x = np.random.default_rng(0).random((1, 1, 28, 28), dtype=np.float32)
np.save("build/examples/image.npy", x)
sess = ort.InferenceSession("examples/tiny_cnn/model.onnx")
np.save("build/examples/probs_ort.npy", sess.run(None, {"image": x})[0])
PY
log "example: kiln-run vs ONNX Runtime"
build/bin/kiln-run build/examples/tiny_cnn.so --input image=build/examples/image.npy \
  --compare probs=build/examples/probs_ort.npy --rtol 1e-4 --atol 1e-5
log "done. Tools are in build/bin; run all tests with tools/check.sh"
