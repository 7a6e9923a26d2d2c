// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// 4-D MHA: Q and K scaled by sqrt(1/sqrt(8)), QK^T and PV as batch matmuls,
// a stable softmax over the keys.
// CHECK-LABEL: func.func @attention_4d
// CHECK: arith.mulf
// CHECK: linalg.transpose
// CHECK: linalg.batch_matmul ins({{.*}} : tensor<6x4x8xf32>, tensor<6x8x6xf32>)
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: linalg.batch_matmul ins({{.*}} : tensor<6x4x6xf32>, tensor<6x6x8xf32>)
// CHECK-NOT: linalg.batch_matmul
func.func @attention_4d(%q: tensor<2x3x4x8xf32>, %k: tensor<2x3x6x8xf32>, %v: tensor<2x3x6x8xf32>) -> tensor<2x3x4x8xf32> {
  %none = onnx.None
  %y, %pk, %pv, %qk = "onnx.Attention"(%q, %k, %v, %none, %none, %none, %none) : (tensor<2x3x4x8xf32>, tensor<2x3x6x8xf32>, tensor<2x3x6x8xf32>, none, none, none, none) -> (tensor<2x3x4x8xf32>, none, none, none)
  return %y : tensor<2x3x4x8xf32>
}

// -----

// 3-D GQA (9 query heads over 3 KV heads) with causal masking: the heads are
// split out of the hidden dim, query heads grouped per KV head (3 x 4 rows),
// the causal bias compares key and query positions.
// CHECK-LABEL: func.func @attention_3d_gqa_causal
// CHECK: tensor.expand_shape {{.*}} into tensor<2x4x9x8xf32>
// CHECK: linalg.transpose
// CHECK: linalg.batch_matmul ins({{.*}} : tensor<6x12x8xf32>, tensor<6x8x6xf32>)
// CHECK: linalg.index 2
// CHECK: linalg.index 3
// CHECK: arith.cmpi sge
// CHECK: linalg.batch_matmul ins({{.*}} : tensor<6x12x6xf32>, tensor<6x6x8xf32>)
// CHECK: linalg.transpose
// CHECK: tensor.collapse_shape {{.*}} into tensor<2x4x72xf32>
func.func @attention_3d_gqa_causal(%q: tensor<2x4x72xf32>, %k: tensor<2x6x24xf32>, %v: tensor<2x6x24xf32>) -> tensor<2x4x72xf32> {
  %none = onnx.None
  %y, %pk, %pv, %qk = "onnx.Attention"(%q, %k, %v, %none, %none, %none, %none) {is_causal = 1 : i64, q_num_heads = 9 : i64, kv_num_heads = 3 : i64} : (tensor<2x4x72xf32>, tensor<2x6x24xf32>, tensor<2x6x24xf32>, none, none, none, none) -> (tensor<2x4x72xf32>, none, none, none)
  return %y : tensor<2x4x72xf32>
}

// -----

// KV cache: present = concat(past, new) along the sequence; a bool mask
// gives 0/-inf, fully-masked rows are zeroed; qk_matmul_output mode 3 is the
// softmax output.
// CHECK-LABEL: func.func @attention_past_boolmask_mode3
// CHECK: tensor.insert_slice {{.*}} into tensor<1x2x5x8xf32>
// CHECK: tensor.insert_slice {{.*}}[0, 0, 3, 0] [1, 2, 2, 8] [1, 1, 1, 1] : tensor<1x2x2x8xf32> into tensor<1x2x5x8xf32>
// CHECK: tensor.pad
// CHECK: arith.select
// CHECK: arith.cmpf oeq
// CHECK: return {{.*}} : tensor<1x2x2x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x2x5xf32>
func.func @attention_past_boolmask_mode3(%q: tensor<1x2x2x8xf32>, %k: tensor<1x2x2x8xf32>, %v: tensor<1x2x2x8xf32>, %m: tensor<2x4xi1>, %pk: tensor<1x2x3x8xf32>, %pv: tensor<1x2x3x8xf32>) -> (tensor<1x2x2x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x2x5xf32>) {
  %none = onnx.None
  %y, %k2, %v2, %qk = "onnx.Attention"(%q, %k, %v, %m, %pk, %pv, %none) {qk_matmul_output_mode = 3 : i64} : (tensor<1x2x2x8xf32>, tensor<1x2x2x8xf32>, tensor<1x2x2x8xf32>, tensor<2x4xi1>, tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>, none) -> (tensor<1x2x2x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x2x5xf32>)
  return %y, %k2, %v2, %qk : tensor<1x2x2x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x2x5xf32>
}

// -----

// f16 computes in f32 and rounds once at the output; softcap uses tanh;
// nonpad_kv_seqlen masks the padded keys per batch.
// CHECK-LABEL: func.func @attention_f16_softcap_nonpad
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: linalg.batch_matmul ins({{.*}} : tensor<2x4x8xf32>, tensor<2x8x6xf32>)
// CHECK: math.tanh
// CHECK: arith.cmpi slt
// CHECK: linalg.batch_matmul ins({{.*}} : tensor<2x4x6xf32>, tensor<2x6x8xf32>)
// CHECK: arith.truncf {{.*}} : f32 to f16
func.func @attention_f16_softcap_nonpad(%q: tensor<2x1x4x8xf16>, %k: tensor<2x1x6x8xf16>, %v: tensor<2x1x6x8xf16>, %n: tensor<2xi64>) -> tensor<2x1x4x8xf16> {
  %none = onnx.None
  %y, %pk, %pv, %qk = "onnx.Attention"(%q, %k, %v, %none, %none, %none, %n) {softcap = 2.0 : f32} : (tensor<2x1x4x8xf16>, tensor<2x1x6x8xf16>, tensor<2x1x6x8xf16>, none, none, none, tensor<2xi64>) -> (tensor<2x1x4x8xf16>, none, none, none)
  return %y : tensor<2x1x4x8xf16>
}

// -----

func.func @attention_3d_without_heads(%q: tensor<2x4x24xf32>, %k: tensor<2x6x24xf32>, %v: tensor<2x6x24xf32>) -> tensor<2x4x24xf32> {
  %none = onnx.None
  // expected-error @+1 {{failed to legalize operation 'onnx.Attention'}}
  %y, %pk, %pv, %qk = "onnx.Attention"(%q, %k, %v, %none, %none, %none, %none) : (tensor<2x4x24xf32>, tensor<2x6x24xf32>, tensor<2x6x24xf32>, none, none, none, none) -> (tensor<2x4x24xf32>, none, none, none)
  return %y : tensor<2x4x24xf32>
}

// -----

func.func @attention_bad_gqa(%q: tensor<2x4x4x8xf32>, %k: tensor<2x3x6x8xf32>, %v: tensor<2x3x6x8xf32>) -> tensor<2x4x4x8xf32> {
  %none = onnx.None
  // expected-error @+1 {{failed to legalize operation 'onnx.Attention'}}
  %y, %pk, %pv, %qk = "onnx.Attention"(%q, %k, %v, %none, %none, %none, %none) : (tensor<2x4x4x8xf32>, tensor<2x3x6x8xf32>, tensor<2x3x6x8xf32>, none, none, none, none) -> (tensor<2x4x4x8xf32>, none, none, none)
  return %y : tensor<2x4x4x8xf32>
}

// -----

// RotaryEmbedding (halves, 4 of 8 dims rotated): one generic gathering the
// pair partner and the cos/sin entry at position_ids[b, s].
// CHECK-LABEL: func.func @rotary_embedding_rotary_dim
// CHECK: linalg.generic
// CHECK: arith.cmpi ult
// CHECK: tensor.extract %{{.*}} : tensor<2x3xi64>
// CHECK: tensor.extract %{{.*}} : tensor<50x2xf32>
// CHECK: tensor.extract %{{.*}} : tensor<50x2xf32>
// CHECK: arith.subf
// CHECK: arith.addf
// CHECK: arith.select
// CHECK: linalg.yield
func.func @rotary_embedding_rotary_dim(%x: tensor<2x4x3x8xf32>, %cos: tensor<50x2xf32>, %sin: tensor<50x2xf32>, %pos: tensor<2x3xi64>) -> tensor<2x4x3x8xf32> {
  %0 = "onnx.RotaryEmbedding"(%x, %cos, %sin, %pos) {rotary_embedding_dim = 4 : i64} : (tensor<2x4x3x8xf32>, tensor<50x2xf32>, tensor<50x2xf32>, tensor<2x3xi64>) -> tensor<2x4x3x8xf32>
  return %0 : tensor<2x4x3x8xf32>
}

// -----

func.func @rotary_embedding_odd_dim(%x: tensor<2x4x3x8xf32>, %cos: tensor<2x3x2xf32>, %sin: tensor<2x3x2xf32>) -> tensor<2x4x3x8xf32> {
  %none = onnx.None
  // expected-error @+1 {{failed to legalize operation 'onnx.RotaryEmbedding'}}
  %0 = "onnx.RotaryEmbedding"(%x, %cos, %sin, %none) {rotary_embedding_dim = 3 : i64} : (tensor<2x4x3x8xf32>, tensor<2x3x2xf32>, tensor<2x3x2xf32>, none) -> tensor<2x4x3x8xf32>
  return %0 : tensor<2x4x3x8xf32>
}
