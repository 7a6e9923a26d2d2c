// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics

func.func @unsupported(%a: tensor<2xi64>) -> tensor<1xf32> {
  // expected-error @+1 {{'onnx.TfIdfVectorizer' is not supported by the code generator yet}}
  %0 = "onnx.TfIdfVectorizer"(%a) {mode = "TF", max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>} : (tensor<2xi64>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}
