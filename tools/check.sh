#!/usr/bin/env bash
# Runs every test layer that CI runs (after tools/setup.sh):
#   1. the generated onnx dialect is up to date with the pinned onnx schemas
#   2. lit + FileCheck (dialects, passes, importer)
#   3. GoogleTest (ctest)
#   4. ONNX's backend node tests: import rate against test/e2e/import-xfail.txt
#   5. the same node tests compiled to .so and run with kiln-run against their
#      reference outputs (tools/run_node_tests.py, test/e2e/node-xfail.txt),
#      and docs/ops.md is what those results give (tools/gen_support_table.py)
#   6. real architectures (test/models: ResNet-50, MobileNetV2, BERT-base,
#      EfficientNet-B0, ViT, GPT-2, a YOLO-style detector, UNets, an LSTM/GRU,
#      a Loop + If model)
#      import with every value statically shaped
#   7. the same models compile to .so and match ONNX Runtime (fp32,
#      rtol 1e-4 / atol 1e-5)
# The last line is "check: N passed, M failed" (stages).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
JOBS=${KILN_JOBS:-2}
PY=.venv/bin/python
LIT=/usr/lib/llvm-22/bin/lit
passed=0
failed=0
failed_names=()
stage() {
  local name=$1
  shift
  printf '\n\033[1m[check] %s\033[0m\n' "$name"
  local t0=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    printf '[check] %s: ok (%ds)\n' "$name" $((SECONDS - t0))
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    printf '[check] %s: FAILED (%ds)\n' "$name" $((SECONDS - t0))
  fi
}

export CCACHE_BASEDIR="$ROOT"
if ! ninja -C build -j"$JOBS" >build/check-build.log 2>&1; then
  tail -40 build/check-build.log
  echo "check: 0 passed, 1 failed"
  exit 1
fi

MODELS=${KILN_MODELS_DIR:-build/models}
stage "generated dialect up to date" $PY tools/gen_onnx_ops.py --check
stage "lit" $LIT -sv -j"$JOBS" build/test/lit
stage "unit (ctest)" ctest --test-dir build --output-on-failure -j"$JOBS"
stage "node tests: import" bash -c "$PY tools/gen_node_tests.py && $PY tools/import_rate.py -j$JOBS"
stage "node tests: compile + run" $PY tools/run_node_tests.py -j"$JOBS" \
  --json build/node-tests.json
stage "support table (docs/ops.md) up to date" $PY tools/gen_support_table.py \
  --results build/node-tests.json --check
stage "models: import + static shapes" bash -c \
  "$PY test/models/build_models.py $MODELS && $PY test/models/check_import.py --models $MODELS"
stage "models: compile to .so + match ONNX Runtime" \
  $PY test/models/check_e2e.py --models "$MODELS"

if [ "$failed" -gt 0 ]; then
  echo "failed stages: ${failed_names[*]}"
fi
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
