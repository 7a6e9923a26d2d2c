//===- Passes.h - onnx -> linalg conversion ---------------------*- C++ -*-===//
#ifndef KILN_PASSES_TOLINALG_PASSES_H
#define KILN_PASSES_TOLINALG_PASSES_H

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "passes/to-linalg/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/to-linalg/Passes.h.inc"

} // namespace kiln

#endif // KILN_PASSES_TOLINALG_PASSES_H
