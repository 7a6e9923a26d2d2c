// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics

func.func @if_different_shapes(%c: tensor<i1>, %x: tensor<2xf32>, %y: tensor<3xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{If: output #0 needs the same static type from both branches (then: 'tensor<3xf32>', else: 'tensor<2xf32>')}}
  // expected-error @+1 {{failed to legalize operation 'onnx.If'}}
  %0 = "onnx.If"(%c) ({
    "onnx.Yield"(%x) : (tensor<2xf32>) -> ()
  }, {
    "onnx.Yield"(%y) : (tensor<3xf32>) -> ()
  }) : (tensor<i1>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @loop_dynamic_scan_output(%m: tensor<i64>, %x: tensor<2xf32>) -> tensor<?x2xf32> {
  %n = "onnx.None"() : () -> none
  // expected-error @+2 {{Loop: scan output #0 has type 'tensor<?x2xf32>'; scan outputs need a static trip count (a constant M, or static output shapes)}}
  // expected-error @+1 {{failed to legalize operation 'onnx.Loop'}}
  %0 = "onnx.Loop"(%m, %n) ({
  ^bb0(%i: tensor<i64>, %ci: tensor<i1>):
    "onnx.Yield"(%ci, %x) : (tensor<i1>, tensor<2xf32>) -> ()
  }) : (tensor<i64>, none) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @loop_growing_carried(%m: tensor<i64>, %x: tensor<2xf32>) -> tensor<?xf32> {
  %n = "onnx.None"() : () -> none
  // expected-error @+2 {{Loop: carried value #0 (initially 'tensor<2xf32>', finally 'tensor<?xf32>') needs a static shape that stays the same in every iteration}}
  // expected-error @+1 {{failed to legalize operation 'onnx.Loop'}}
  %0 = "onnx.Loop"(%m, %n, %x) ({
  ^bb0(%i: tensor<i64>, %ci: tensor<i1>, %a: tensor<?xf32>):
    %c = "onnx.Concat"(%a, %x) {axis = 0 : i64} : (tensor<?xf32>, tensor<2xf32>) -> tensor<?xf32>
    "onnx.Yield"(%ci, %c) : (tensor<i1>, tensor<?xf32>) -> ()
  }) : (tensor<i64>, none, tensor<2xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
