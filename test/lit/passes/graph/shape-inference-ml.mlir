// RUN: kiln-opt %s --kiln-shape-inference --split-input-file | FileCheck %s

// Shape inference of the training optimizers, ai.onnx.ml ops, TfIdfVectorizer
// and MaxUnpool.

// Each optimizer output has the shape of the X it updates (X's, then states).
// CHECK-LABEL: func.func @adam(
// CHECK-SAME: -> (tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>) {
func.func @adam(%r: tensor<f32>, %t: tensor<i64>, %x1: tensor<2xf32>, %x2: tensor<3xf32>, %g1: tensor<2xf32>, %g2: tensor<3xf32>, %v1: tensor<2xf32>, %v2: tensor<3xf32>, %h1: tensor<2xf32>, %h2: tensor<3xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0:6 = "onnx.Adam"(%r, %t, %x1, %x2, %g1, %g2, %v1, %v2, %h1, %h2) : (tensor<f32>, tensor<i64>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1, %0#2, %0#3, %0#4, %0#5 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @array_feature_extractor(
// CHECK-SAME: -> tensor<1x3xf32> {
func.func @array_feature_extractor(%x: tensor<5xf32>, %i: tensor<3xi64>) -> tensor<*xf32> {
  %0 = "onnx.ArrayFeatureExtractor"(%x, %i) : (tensor<5xf32>, tensor<3xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @tree_ensemble(
// CHECK-SAME: -> tensor<3x2xf64> {
func.func @tree_ensemble(%x: tensor<3x2xf64>) -> tensor<*xf64> {
  %0 = "onnx.TreeEnsemble"(%x) {leaf_targetids = array<i64: 0, 1>, leaf_weights = dense<[1.0, 2.0]> : tensor<2xf64>, n_targets = 2 : i64, nodes_falseleafs = array<i64: 1>, nodes_falsenodeids = array<i64: 1>, nodes_featureids = array<i64: 0>, nodes_modes = dense<[0]> : tensor<1xui8>, nodes_splits = dense<[1.0]> : tensor<1xf64>, nodes_trueleafs = array<i64: 1>, nodes_truenodeids = array<i64: 0>, tree_roots = array<i64: 0>} : (tensor<3x2xf64>) -> tensor<*xf64>
  return %0 : tensor<*xf64>
}

// -----

// CHECK-LABEL: func.func @tfidf(
// CHECK-SAME: -> tensor<2x7xf32> {
func.func @tfidf(%x: tensor<2x6xi32>) -> tensor<*xf32> {
  %0 = "onnx.TfIdfVectorizer"(%x) {max_gram_length = 2 : i64, max_skip_count = 0 : i64, min_gram_length = 2 : i64, mode = "TF", ngram_counts = array<i64: 0, 4>, ngram_indexes = array<i64: 0, 1, 2, 3, 4, 5, 6>, pool_int64s = array<i64: 2, 3, 5, 4, 5, 6, 7, 8, 6, 7>} : (tensor<2x6xi32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Without output_shape: (in - 1) * stride - pads + kernel per spatial dim.
// CHECK-LABEL: func.func @maxunpool(
// CHECK-SAME: -> tensor<1x1x4x4xf32> {
func.func @maxunpool(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) -> tensor<*xf32> {
  %none = onnx.None
  %0 = "onnx.MaxUnpool"(%x, %i, %none) {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
