// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// Signed integer division truncates (divsi), unsigned uses divui.
// CHECK-LABEL: func.func @div_signed
// CHECK: linalg.generic
// CHECK: arith.divsi
func.func @div_signed(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "onnx.Div"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @pow_float_int
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: math.powf
func.func @pow_float_int(%a: tensor<3xf32>, %b: tensor<3xi32>) -> tensor<3xf32> {
  %0 = "onnx.Pow"(%a, %b) : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @pow_int_int
// CHECK: arith.sitofp %{{.*}} : i64 to f64
// CHECK: math.powf %{{.*}} : f64
// CHECK: arith.fptosi %{{.*}} : f64 to i64
func.func @pow_int_int(%a: tensor<3xi64>, %b: tensor<3xi64>) -> tensor<3xi64> {
  %0 = "onnx.Pow"(%a, %b) : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// Integer Mod (fmod=0) takes the divisor's sign: remsi then a fix-up.
// CHECK-LABEL: func.func @mod_int
// CHECK: arith.remsi
// CHECK: arith.xori
// CHECK: arith.addi
// CHECK: arith.select
func.func @mod_int(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "onnx.Mod"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float Mod with fmod=0 is numpy's mod: the divisor's sign, zeros too.
// CHECK-LABEL: func.func @mod_float
// CHECK: arith.remf
// CHECK: arith.addf
// CHECK: math.copysign
func.func @mod_float(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "onnx.Mod"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @fmod_float
// CHECK: arith.remf
func.func @fmod_float(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "onnx.Mod"(%a, %b) {fmod = 1 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @mod_unsigned
// CHECK: arith.remui
func.func @mod_unsigned(%a: tensor<4xui16>, %b: tensor<4xui16>) -> tensor<4xui16> {
  %0 = "onnx.Mod"(%a, %b) : (tensor<4xui16>, tensor<4xui16>) -> tensor<4xui16>
  return %0 : tensor<4xui16>
}

// -----

// CHECK-LABEL: func.func @unary_math
// CHECK: math.roundeven
// CHECK: math.erf
// CHECK: math.atanh
// CHECK: math.absi
func.func @unary_math(%a: tensor<4xf32>, %i: tensor<4xi8>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi8>) {
  %0 = "onnx.Round"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "onnx.Erf"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "onnx.Atanh"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %3 = "onnx.Abs"(%i) : (tensor<4xi8>) -> tensor<4xi8>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi8>
}

// -----

// PRelu broadcasts its slope.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[SL:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-LABEL: func.func @prelu
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SL]], #[[ID]]]
// CHECK: arith.cmpf olt
// CHECK: arith.mulf
// CHECK: arith.select
func.func @prelu(%x: tensor<2x3x4xf32>, %s: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = "onnx.PRelu"(%x, %s) : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @gelu_tanh
// CHECK: math.tanh
// CHECK-LABEL: func.func @gelu_none
// CHECK: math.erf
func.func @gelu_tanh(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "onnx.Gelu"(%x) {approximate = "tanh"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @gelu_none(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "onnx.Gelu"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Softplus is computed stably with log1p.
// CHECK-LABEL: func.func @softplus_mish
// CHECK: math.log1p
// CHECK: math.log1p
// CHECK: math.tanh
func.func @softplus_mish(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "onnx.Softplus"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "onnx.Mish"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Clip with only a max, on unsigned integers.
// CHECK-LABEL: func.func @clip_unsigned_max
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4xi8>, tensor<i8>)
// CHECK: arith.cmpi ugt
// CHECK: arith.select
// CHECK-NOT: onnx.
func.func @clip_unsigned_max(%x: tensor<4xui8>, %hi: tensor<ui8>) -> tensor<4xui8> {
  %none = onnx.None
  %0 = "onnx.Clip"(%x, %none, %hi) : (tensor<4xui8>, none, tensor<ui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @cast_f32_to_ui8
// CHECK: arith.fptoui %{{.*}} : f32 to i8
// CHECK-LABEL: func.func @cast_bool_to_f32
// CHECK: arith.uitofp %{{.*}} : i1 to f32
// CHECK-LABEL: func.func @cast_f16_to_bf16
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @cast_f32_to_ui8(%x: tensor<4xf32>) -> tensor<4xui8> {
  %0 = "onnx.Cast"(%x) {to = 2 : i64} : (tensor<4xf32>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}
func.func @cast_bool_to_f32(%x: tensor<4xi1>) -> tensor<4xf32> {
  %0 = "onnx.Cast"(%x) {to = 1 : i64} : (tensor<4xi1>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @cast_f16_to_bf16(%x: tensor<4xf16>) -> tensor<4xbf16> {
  %0 = "onnx.Cast"(%x) {to = 16 : i64} : (tensor<4xf16>) -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// Saturating cast to float8 (the default): clamp to +-448 first.
// CHECK-LABEL: func.func @cast_f8_saturate
// CHECK: arith.constant 4.480000e+02 : f32
// CHECK: arith.minimumf
// CHECK: arith.maximumf
// CHECK: arith.truncf %{{.*}} : f32 to f8E4M3FN
func.func @cast_f8_saturate(%x: tensor<4xf32>) -> tensor<4xf8E4M3FN> {
  %0 = "onnx.Cast"(%x) {to = 17 : i64} : (tensor<4xf32>) -> tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}

// -----

// CastLike does not read its second input.
// CHECK-LABEL: func.func @castlike
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xi32>)
// CHECK: arith.sitofp
func.func @castlike(%x: tensor<2x3xi32>, %t: tensor<5xf32>) -> tensor<2x3xf32> {
  %0 = "onnx.CastLike"(%x, %t) : (tensor<2x3xi32>, tensor<5xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @compares
// CHECK: arith.cmpi ult
// CHECK: arith.cmpi sge
// CHECK: arith.cmpf oeq
func.func @compares(%a: tensor<4xui32>, %b: tensor<4xui32>, %c: tensor<4xi32>, %d: tensor<4xi32>, %e: tensor<4xf32>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = "onnx.Less"(%a, %b) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xi1>
  %1 = "onnx.GreaterOrEqual"(%c, %d) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  %2 = "onnx.Equal"(%e, %e) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @where
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x1xi1>, tensor<3xf32>, tensor<2x3xf32>)
// CHECK: arith.select
func.func @where(%c: tensor<2x1xi1>, %x: tensor<3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "onnx.Where"(%c, %x, %y) : (tensor<2x1xi1>, tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @logic
// CHECK: arith.andi
// CHECK: arith.xori
// CHECK: arith.constant true
// CHECK: arith.xori
func.func @logic(%a: tensor<4xi1>, %b: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>) {
  %0 = "onnx.And"(%a, %b) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %1 = "onnx.Xor"(%0, %b) : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %2 = "onnx.Not"(%1) : (tensor<4xi1>) -> tensor<4xi1>
  return %1, %2 : tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @bitshift_right
// CHECK: arith.shrui
// CHECK: arith.cmpi uge
// CHECK: arith.select
func.func @bitshift_right(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = "onnx.BitShift"(%a, %b) {direction = "RIGHT"} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Signed right shifts past the width give the sign (x >> 7).
// CHECK-LABEL: func.func @bitshift_right_signed
// CHECK: arith.shrsi
// CHECK: arith.cmpi uge
// CHECK: %[[C7:.*]] = arith.constant 7 : i8
// CHECK: arith.shrsi %{{.*}}, %[[C7]]
// CHECK: arith.select
func.func @bitshift_right_signed(%a: tensor<4xi8>, %b: tensor<4xi8>) -> tensor<4xi8> {
  %0 = "onnx.BitShift"(%a, %b) {direction = "RIGHT"} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// Variadic Max folds pairwise with NaN-propagating maximumf; Mean divides.
// CHECK-LABEL: func.func @max3
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32>, tensor<1xf32>)
// CHECK: arith.maximumf
// CHECK: arith.maximumf
// CHECK-LABEL: func.func @mean2
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK-LABEL: func.func @min_unsigned
// CHECK: arith.minui
func.func @max3(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<1xf32>) -> tensor<2x3xf32> {
  %0 = "onnx.Max"(%a, %b, %c) : (tensor<2x3xf32>, tensor<3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
func.func @mean2(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "onnx.Mean"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @min_unsigned(%a: tensor<3xui32>, %b: tensor<3xui32>) -> tensor<3xui32> {
  %0 = "onnx.Min"(%a, %b) : (tensor<3xui32>, tensor<3xui32>) -> tensor<3xui32>
  return %0 : tensor<3xui32>
}

// -----

// CHECK-LABEL: func.func @isnan_isinf
// CHECK: arith.cmpf uno
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.cmpf oeq
func.func @isnan_isinf(%x: tensor<4xf32>) -> (tensor<4xi1>, tensor<4xi1>) {
  %0 = "onnx.IsNaN"(%x) : (tensor<4xf32>) -> tensor<4xi1>
  %1 = "onnx.IsInf"(%x) {detect_positive = 0 : i64} : (tensor<4xf32>) -> tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// -----

// Inference Dropout: the data passes through, the mask is all true.
// CHECK-LABEL: func.func @dropout
// CHECK: %[[T:.*]] = arith.constant true
// CHECK: linalg.fill ins(%[[T]] : i1)
func.func @dropout(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {
  %none = onnx.None
  %0, %1 = "onnx.Dropout"(%x, %none, %none) : (tensor<4xf32>, none, none) -> (tensor<4xf32>, tensor<4xi1>)
  return %0, %1 : tensor<4xf32>, tensor<4xi1>
}

// -----

// Per-axis QuantizeLinear: scale/zero point reshaped to [C, 1], round half
// to even, saturate to the unsigned range.
// CHECK-LABEL: func.func @quantize_per_axis
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: arith.uitofp
// CHECK: math.roundeven
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.fptoui %{{.*}} : f32 to i8
func.func @quantize_per_axis(%x: tensor<3x4xf32>, %s: tensor<3xf32>, %z: tensor<3xui8>) -> tensor<3x4xui8> {
  %0 = "onnx.QuantizeLinear"(%x, %s, %z) {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3xf32>, tensor<3xui8>) -> tensor<3x4xui8>
  return %0 : tensor<3x4xui8>
}

// -----

// QuantizeLinear to float8: x / scale, no rounding to integers, saturating
// cast (the float8 zero point is 0 and not added).
// CHECK-LABEL: func.func @quantize_f8
// CHECK: arith.divf
// CHECK-NOT: math.roundeven
// CHECK: arith.minimumf
// CHECK: arith.maximumf
// CHECK: arith.truncf %{{.*}} : f32 to f8E4M3FN
func.func @quantize_f8(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<f8E4M3FN>) -> tensor<4xf8E4M3FN> {
  %0 = "onnx.QuantizeLinear"(%x, %s, %z) : (tensor<4xf32>, tensor<f32>, tensor<f8E4M3FN>) -> tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}

// -----

// DequantizeLinear from float4: extended to f32.
// CHECK-LABEL: func.func @dequantize_f4
// CHECK: arith.extf %{{.*}} : f4E2M1FN to f32
// CHECK: arith.subf
// CHECK: arith.mulf
func.func @dequantize_f4(%x: tensor<4xf4E2M1FN>, %s: tensor<f32>, %z: tensor<f4E2M1FN>) -> tensor<4xf32> {
  %0 = "onnx.DequantizeLinear"(%x, %s, %z) : (tensor<4xf4E2M1FN>, tensor<f32>, tensor<f4E2M1FN>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Cast float -> int4 wraps around: through i32, low bits kept.
// CHECK-LABEL: func.func @cast_f32_to_i4
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.trunci %{{.*}} : i32 to i4
func.func @cast_f32_to_i4(%x: tensor<4xf32>) -> tensor<4xi4> {
  %0 = "onnx.Cast"(%x) {to = 22 : i64} : (tensor<4xf32>) -> tensor<4xi4>
  return %0 : tensor<4xi4>
}

// -----

// Cast to float8e8m0: the f32 exponent, rounded up when the mantissa is not
// zero (round_mode "up"), except at 2^127 when saturating.
// CHECK-LABEL: func.func @cast_f32_to_e8m0
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.shrui
// CHECK: arith.cmpi ne
// CHECK: arith.cmpi ne, %{{.*}}, %c254_i32
// CHECK: arith.addi
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: arith.bitcast %{{.*}} : i8 to f8E8M0FNU
func.func @cast_f32_to_e8m0(%x: tensor<4xf32>) -> tensor<4xf8E8M0FNU> {
  %0 = "onnx.Cast"(%x) {to = 24 : i64, round_mode = "up", saturate = 1 : i64} : (tensor<4xf32>) -> tensor<4xf8E8M0FNU>
  return %0 : tensor<4xf8E8M0FNU>
}

// -----

// CHECK-LABEL: func.func @dequantize
// CHECK: arith.sitofp %{{.*}} : i8 to f32
// CHECK: arith.subf
// CHECK: arith.mulf
func.func @dequantize(%x: tensor<4xi8>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<4xf32> {
  %0 = "onnx.DequantizeLinear"(%x, %s, %z) : (tensor<4xi8>, tensor<f32>, tensor<i8>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Blocked DequantizeLinear: the parameters are read at [i, j floordiv 2].
// CHECK-DAG: #[[BLK:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-LABEL: func.func @dequantize_blocked
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BLK]], #[[BLK]], #{{.*}}]
func.func @dequantize_blocked(%x: tensor<3x4xui8>, %s: tensor<3x2xf32>, %z: tensor<3x2xui8>) -> tensor<3x4xf32> {
  %0 = "onnx.DequantizeLinear"(%x, %s, %z) {axis = 1 : i64, block_size = 2 : i64} : (tensor<3x4xui8>, tensor<3x2xf32>, tensor<3x2xui8>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
