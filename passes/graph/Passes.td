//===- Passes.td - graph-level passes on the onnx dialect ---*- tablegen -*-===//
#ifndef KILN_PASSES_GRAPH_PASSES
#define KILN_PASSES_GRAPH_PASSES

include "mlir/Pass/PassBase.td"

def ShapeInferencePass : Pass<"kiln-shape-inference", "mlir::func::FuncOp"> {
  let summary = "Infer static shapes of onnx values and fold shape arithmetic";
  let description = [{
    Walks the function in order and refines every result type of an `onnx`
    op from its operands (ranks, static dims, and constant shape tensors),
    folding shape computations whose operands are constants (e.g.
    `Shape -> Gather -> Unsqueeze -> Concat -> Reshape`) into `onnx.Constant`.
    After each forward sweep, a backward sweep refines operands from known
    result types where the op determines them (elementwise ops keep the shape
    of their operand), so the declared static type of a graph output reaches
    e.g. a Reduce with run-time axes whose shape forward inference cannot
    know. Repeats until nothing changes, then updates the function's result
    types.
    A dim that stays unknown stays `?`.

    Before:
    ```mlir
    func.func @main(%x: tensor<1x3x8x8xf32>) -> tensor<*xf32> {
      %0 = "onnx.Relu"(%x) : (tensor<1x3x8x8xf32>) -> tensor<*xf32>
      return %0 : tensor<*xf32>
    }
    ```
    After:
    ```mlir
    func.func @main(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
      %0 = "onnx.Relu"(%x) : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
      return %0 : tensor<1x3x8x8xf32>
    }
    ```
  }];
  let dependentDialects = ["kiln::onnx::ONNXDialect"];
}

def ResolveSequencesPass
    : Pass<"kiln-resolve-sequences", "mlir::func::FuncOp"> {
  let summary = "Replace sequences and optionals by the tensors they hold";
  let description = [{
    Compiled models have only tensors, so the length of every sequence, the
    shapes of its elements and the presence of every optional must be known
    at compile time. The importer flattens sequence and optional inputs of
    the model (--sequence-length, --absent-input) into tensor arguments and
    rebuilds them with `onnx.SequenceConstruct` / `onnx.Optional`; this pass
    rewrites every op that reads a sequence or an optional into tensor ops
    (SequenceAt/Insert/Erase/Length, ConcatFromSequence, SplitToSequence with
    a constant split, SequenceMap and Loops carrying sequences with a
    constant trip count unrolled, If returning sequences, Identity,
    OptionalHasElement, OptionalGetElement), and flattens sequence results of
    the function into results `NAME[0]` .. `NAME[N-1]` (an optional result
    into its element, or no result when it is empty). What cannot be
    resolved is an error naming the node.

    Before:
    ```mlir
    func.func @main(%a: tensor<3xf32>, %b: tensor<3xf32>) -> !onnx.seq<tensor<*xf32>> {
      %s = "onnx.SequenceConstruct"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> !onnx.seq<tensor<*xf32>>
      return %s : !onnx.seq<tensor<*xf32>>
    }
    ```
    After:
    ```mlir
    func.func @main(%a: tensor<3xf32>, %b: tensor<3xf32>)
        -> (tensor<3xf32> {onnx.name = "s[0]"}, tensor<3xf32> {onnx.name = "s[1]"}) {
      return %a, %b : tensor<3xf32>, tensor<3xf32>
    }
    ```
  }];
  let dependentDialects = ["kiln::onnx::ONNXDialect"];
}

#endif // KILN_PASSES_GRAPH_PASSES
