//===- kiln-opt.cpp - MlirOptMain with Kiln's dialects and passes --------===//
#include "dialects/onnx/ONNXDialect.h"
#include "passes/codegen/Passes.h"
#include "passes/graph/Passes.h"
#include "passes/to-linalg/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Transforms/Passes.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  kiln::registerGraphPipelines();
  kiln::registerKilnToLinalgPasses();
  kiln::registerCodegenPipelines();
  mlir::registerAllPasses();
  mlir::DialectRegistry registry;
  registry.insert<kiln::onnx::ONNXDialect, mlir::func::FuncDialect>();
  mlir::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
