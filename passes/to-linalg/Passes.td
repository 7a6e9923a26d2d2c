//===- Passes.td - onnx -> linalg conversion ----------------*- tablegen -*-===//
#ifndef KILN_PASSES_TOLINALG_PASSES
#define KILN_PASSES_TOLINALG_PASSES

include "mlir/Pass/PassBase.td"

def ConvertONNXToLinalgPass
    : Pass<"kiln-convert-onnx-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower the onnx dialect to linalg, tensor, arith and math on tensors";
  let description = [{
    Converts every `onnx` op to named linalg ops where they exist (matmul,
    batch_matmul, convolutions, pooling, fill), `linalg.generic` otherwise,
    and tensor ops for data movement. Needs static shapes (run
    `kiln-shape-inference` first). Signed and unsigned ONNX integers both
    become signless integers; ops pick signed or unsigned arithmetic from the
    ONNX type. An op without a lowering is an error naming the ONNX node.

    Before:
    ```mlir
    %0 = "onnx.Relu"(%x) : (tensor<4xf32>) -> tensor<4xf32>
    ```
    After:
    ```mlir
    %e = tensor.empty() : tensor<4xf32>
    %0 = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %c0 = arith.constant 0.0 : f32
      %m = arith.maximumf %in, %c0 : f32
      linalg.yield %m : f32
    } -> tensor<4xf32>
    ```
  }];
  let options = [
    Option<"directConvs", "direct-convs", "bool", /*default=*/"true",
           "Keep small stride-1 f32 convolutions on big images direct "
           "(linalg.conv_2d_nchw_fchw) instead of im2col + matmul (the "
           "target's tile table decides)">
  ];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect", "mlir::math::MathDialect",
    "mlir::scf::SCFDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect", "mlir::cf::ControlFlowDialect"
  ];
}

#endif // KILN_PASSES_TOLINALG_PASSES
