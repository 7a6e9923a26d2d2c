// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// Binarizer on int64: x > threshold compared in f64, 1 or 0 in x's type.
// CHECK-LABEL: func.func @binarizer
// CHECK: linalg.generic
// CHECK: arith.sitofp %{{.*}} : i64 to f64
// CHECK: arith.cmpf ogt
// CHECK: arith.select %{{.*}} : i64
func.func @binarizer(%x: tensor<3x4xi64>) -> tensor<3x4xi64> {
  %0 = "onnx.Binarizer"(%x) {threshold = 1.5 : f32} : (tensor<3x4xi64>) -> tensor<3x4xi64>
  return %0 : tensor<3x4xi64>
}

// -----

// ArrayFeatureExtractor: the last dim gathered at the clamped indices.
// CHECK-LABEL: func.func @array_feature_extractor
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<3x2xf32>)
// CHECK: %[[J:.*]] = linalg.index 1
// CHECK: tensor.extract %{{.*}}[%[[J]]] : tensor<2xi64>
// CHECK: arith.minsi
// CHECK: tensor.extract %{{.*}} : tensor<3x4xf32>
func.func @array_feature_extractor(%x: tensor<3x4xf32>, %i: tensor<2xi64>) -> tensor<3x2xf32> {
  %0 = "onnx.ArrayFeatureExtractor"(%x, %i) : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// LabelEncoder int64 -> float: a loop over the constant key table; the last
// equal key's value wins, the default otherwise.
// CHECK-LABEL: func.func @label_encoder_int_to_float
// CHECK-DAG: arith.constant dense<[1, 3, 7]> : tensor<3xi64>
// CHECK-DAG: arith.constant dense<[5.000000e-01, 1.500000e+00, 2.500000e+00]> : tensor<3xf32>
// CHECK: linalg.generic
// CHECK: scf.for
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @label_encoder_int_to_float(%x: tensor<5xi64>) -> tensor<5xf32> {
  %0 = "onnx.LabelEncoder"(%x) {keys_int64s = array<i64: 1, 3, 7>, values_floats = array<f32: 0.5, 1.5, 2.5>, default_float = -1.0 : f32} : (tensor<5xi64>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @label_encoder_string(%x: tensor<5x!onnx.string>) -> tensor<5xi64> {
  // expected-error @+1 {{failed to legalize operation 'onnx.LabelEncoder'}}
  %0 = "onnx.LabelEncoder"(%x) {keys_strings = ["a", "b"], values_int64s = array<i64: 1, 2>} : (tensor<5x!onnx.string>) -> tensor<5xi64>
  return %0 : tensor<5xi64>
}

// -----

// TfIdfVectorizer: per output column, a loop over its n-grams, skip
// distances and start positions comparing tokens; TFIDF scales by weights.
// CHECK-LABEL: func.func @tfidf_batch
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<2x7xf32>)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.extract %{{.*}} : tensor<2x6xi32>
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK: arith.cmpi eq
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @tfidf_batch(%x: tensor<2x6xi32>) -> tensor<2x7xf32> {
  %0 = "onnx.TfIdfVectorizer"(%x) {max_gram_length = 2 : i64, max_skip_count = 5 : i64, min_gram_length = 1 : i64, mode = "TFIDF", ngram_counts = array<i64: 0, 4>, ngram_indexes = array<i64: 0, 1, 2, 3, 4, 5, 6>, pool_int64s = array<i64: 2, 3, 5, 4, 5, 6, 7, 8, 6, 7>, weights = array<f32: 1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0>} : (tensor<2x6xi32>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}

// -----

func.func @tfidf_strings(%x: tensor<6x!onnx.string>) -> tensor<2xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.TfIdfVectorizer'}}
  %0 = "onnx.TfIdfVectorizer"(%x) {max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0, 1>, pool_strings = ["a", "b"]} : (tensor<6x!onnx.string>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// TreeEnsemble: for each (sample, target) every tree is walked with an
// scf.while until a leaf; SUM adds the weights of the target's leaves.
// CHECK-LABEL: func.func @tree_ensemble
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<3x2xf64>)
// CHECK: scf.for
// CHECK: scf.while
// CHECK: scf.condition
// CHECK: tensor.extract %{{.*}} : tensor<3x2xf64>
// CHECK: arith.cmpf ole
// CHECK: scf.yield
// CHECK: arith.addf
func.func @tree_ensemble(%x: tensor<3x2xf64>) -> tensor<3x2xf64> {
  %0 = "onnx.TreeEnsemble"(%x) {aggregate_function = 1 : i64, leaf_targetids = array<i64: 0, 1, 0, 1>, leaf_weights = dense<[5.23, 12.12, -12.23, 7.21]> : tensor<4xf64>, n_targets = 2 : i64, nodes_falseleafs = array<i64: 0, 1, 1>, nodes_falsenodeids = array<i64: 2, 2, 3>, nodes_featureids = array<i64: 0, 0, 0>, nodes_modes = dense<[0, 0, 0]> : tensor<3xui8>, nodes_splits = dense<[3.14, 1.2, 4.2]> : tensor<3xf64>, nodes_trueleafs = array<i64: 0, 1, 1>, nodes_truenodeids = array<i64: 1, 0, 1>, post_transform = 0 : i64, tree_roots = array<i64: 0>} : (tensor<3x2xf64>) -> tensor<3x2xf64>
  return %0 : tensor<3x2xf64>
}

// -----

// A node whose false branch leads back to itself: the walk would not end.
func.func @tree_ensemble_cycle(%x: tensor<3x2xf32>) -> tensor<3x1xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.TreeEnsemble'}}
  %0 = "onnx.TreeEnsemble"(%x) {leaf_targetids = array<i64: 0>, leaf_weights = dense<[1.0]> : tensor<1xf32>, n_targets = 1 : i64, nodes_falseleafs = array<i64: 0>, nodes_falsenodeids = array<i64: 0>, nodes_featureids = array<i64: 0>, nodes_modes = dense<[0]> : tensor<1xui8>, nodes_splits = dense<[1.0]> : tensor<1xf32>, nodes_trueleafs = array<i64: 1>, nodes_truenodeids = array<i64: 0>, tree_roots = array<i64: 0>} : (tensor<3x2xf32>) -> tensor<3x1xf32>
  return %0 : tensor<3x1xf32>
}
