//===- ImporterTest.cpp - importer corner cases ---------------------------===//
#include "compiler/import/ONNXImporter.h"
#include "dialects/onnx/ONNXDialect.h"
#include "onnx/onnx.pb.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <fstream>
#include <gtest/gtest.h>

using namespace mlir;

namespace {

class ImporterTest : public ::testing::Test {
protected:
  ImporterTest() {
    model.set_ir_version(8);
    auto *op = model.add_opset_import();
    op->set_domain("");
    op->set_version(17);
    graph()->set_name("g");
  }

  ::onnx::GraphProto *graph() { return model.mutable_graph(); }

  /// Adds an initializer and an Identity node exposing it as output `name`.
  ::onnx::TensorProto *addWeight(const std::string &name, int dtype,
                                 std::vector<int64_t> dims) {
    auto *t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(dtype);
    for (int64_t d : dims)
      t->add_dims(d);
    auto *n = graph()->add_node();
    n->set_op_type("Identity");
    n->set_name("id_" + name);
    n->add_input(name);
    n->add_output(name + "_out");
    graph()->add_output()->set_name(name + "_out");
    return t;
  }

  llvm::Expected<OwningOpRef<ModuleOp>> import(llvm::StringRef dir = "") {
    model.SerializeToString(&bytes);
    return kiln::importONNXModelFromBuffer(bytes, dir, ctx);
  }

  std::string importError(llvm::StringRef dir = "") {
    auto m = import(dir);
    if (m)
      return "<no error>";
    return llvm::toString(m.takeError());
  }

  /// The value of the constant that feeds output `i`.
  ElementsAttr constantOf(ModuleOp module, unsigned i) {
    auto func = module.lookupSymbol<func::FuncOp>("main");
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    Operation *id = ret.getOperand(i).getDefiningOp();
    auto cst = id->getOperand(0).getDefiningOp<kiln::onnx::ConstantOp>();
    return cast<ElementsAttr>(*cst.getValue());
  }

  MLIRContext ctx;
  ::onnx::ModelProto model;
  std::string bytes;
};

TEST_F(ImporterTest, RawAndTypedFloats) {
  float raw[3] = {1.0f, -2.5f, 3.25f};
  addWeight("a", ::onnx::TensorProto::FLOAT, {3})
      ->set_raw_data(raw, sizeof(raw));
  auto *b = addWeight("b", ::onnx::TensorProto::FLOAT, {3});
  for (float f : raw)
    b->add_float_data(f);
  auto m = import();
  ASSERT_TRUE((bool)m) << llvm::toString(m.takeError());
  for (unsigned i = 0; i < 2; ++i) {
    auto values = llvm::to_vector(constantOf(**m, i).getValues<float>());
    ASSERT_EQ(values.size(), 3u);
    EXPECT_EQ(values[0], 1.0f);
    EXPECT_EQ(values[1], -2.5f);
    EXPECT_EQ(values[2], 3.25f);
  }
}

TEST_F(ImporterTest, LargeWeightsBecomeResourceBlobs) {
  std::vector<float> data(4096);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = (float)i * 0.5f;
  addWeight("w", ::onnx::TensorProto::FLOAT, {64, 64})
      ->set_raw_data(data.data(), data.size() * sizeof(float));
  auto m = import();
  ASSERT_TRUE((bool)m) << llvm::toString(m.takeError());
  auto attr = dyn_cast<DenseResourceElementsAttr>(constantOf(**m, 0));
  ASSERT_TRUE(attr);
  auto blob = attr.getRawHandle().getBlob();
  ASSERT_NE(blob, nullptr);
  ArrayRef<char> raw = blob->getData();
  ASSERT_EQ(raw.size(), data.size() * sizeof(float));
  EXPECT_EQ(0, memcmp(raw.data(), data.data(), raw.size()));
}

TEST_F(ImporterTest, Int4PackedTwoPerByte) {
  // -8, 7, -1 packed low nibble first: 0x78, 0x0F.
  auto *t = addWeight("q", ::onnx::TensorProto::INT4, {3});
  const char packed[2] = {(char)0x78, (char)0x0F};
  t->set_raw_data(packed, 2);
  auto m = import();
  ASSERT_TRUE((bool)m) << llvm::toString(m.takeError());
  auto dense = cast<DenseElementsAttr>(constantOf(**m, 0));
  auto values = llvm::to_vector(dense.getValues<APInt>());
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].getSExtValue(), -8);
  EXPECT_EQ(values[1].getSExtValue(), 7);
  EXPECT_EQ(values[2].getSExtValue(), -1);
}

TEST_F(ImporterTest, Float16FromInt32Data) {
  auto *t = addWeight("h", ::onnx::TensorProto::FLOAT16, {2});
  t->add_int32_data(0x3C00); // 1.0
  t->add_int32_data(0xC000); // -2.0
  auto m = import();
  ASSERT_TRUE((bool)m) << llvm::toString(m.takeError());
  auto dense = cast<DenseElementsAttr>(constantOf(**m, 0));
  auto values = llvm::to_vector(dense.getValues<APFloat>());
  EXPECT_EQ(values[0].convertToDouble(), 1.0);
  EXPECT_EQ(values[1].convertToDouble(), -2.0);
}

TEST_F(ImporterTest, WrongDataSizeIsAnError) {
  float raw[2] = {1, 2};
  addWeight("bad", ::onnx::TensorProto::FLOAT, {3})
      ->set_raw_data(raw, sizeof(raw));
  EXPECT_EQ(importError(), "<buffer>: tensor 'bad' holds 8 bytes of data; its "
                           "shape and FLOAT need 12");
}

TEST_F(ImporterTest, NegativeDimIsAnError) {
  addWeight("neg", ::onnx::TensorProto::FLOAT, {-1});
  EXPECT_EQ(importError(), "<buffer>: tensor 'neg' has a negative dim");
}

TEST_F(ImporterTest, UnknownDataTypeIsAnError) {
  addWeight("u", 99, {1});
  EXPECT_EQ(importError(),
            "<buffer>: tensor 'u' has unsupported data type 99");
}

TEST_F(ImporterTest, TruncatedAndGarbageBuffers) {
  float raw[256] = {};
  addWeight("w", ::onnx::TensorProto::FLOAT, {256})
      ->set_raw_data(raw, sizeof(raw));
  model.SerializeToString(&bytes);
  for (size_t cut : {bytes.size() / 2, bytes.size() - 1, (size_t)7}) {
    auto m = kiln::importONNXModelFromBuffer(bytes.substr(0, cut), "", ctx);
    ASSERT_FALSE((bool)m) << "cut at " << cut;
    std::string msg = llvm::toString(m.takeError());
    EXPECT_TRUE(msg.find("not a valid ONNX model") != std::string::npos ||
                msg.find("not an ONNX model") != std::string::npos)
        << msg;
  }
  std::string garbage(1000, '\xff');
  auto m = kiln::importONNXModelFromBuffer(garbage, "", ctx);
  ASSERT_FALSE((bool)m);
  EXPECT_NE(llvm::toString(m.takeError()).find("not a valid ONNX model"),
            std::string::npos);
}

TEST_F(ImporterTest, NodesOutOfOrderImport) {
  // b = Neg(a); a = Relu(x), listed in reverse order.
  auto *in = graph()->add_input();
  in->set_name("x");
  auto *tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(::onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_value(2);
  auto *n1 = graph()->add_node();
  n1->set_op_type("Neg");
  n1->add_input("a");
  n1->add_output("b");
  auto *n2 = graph()->add_node();
  n2->set_op_type("Relu");
  n2->add_input("x");
  n2->add_output("a");
  graph()->add_output()->set_name("b");
  auto m = import();
  ASSERT_TRUE((bool)m) << llvm::toString(m.takeError());
}

TEST_F(ImporterTest, CycleIsAnError) {
  auto *n1 = graph()->add_node();
  n1->set_op_type("Neg");
  n1->set_name("n1");
  n1->add_input("b");
  n1->add_output("a");
  auto *n2 = graph()->add_node();
  n2->set_op_type("Neg");
  n2->set_name("n2");
  n2->add_input("a");
  n2->add_output("b");
  graph()->add_output()->set_name("b");
  EXPECT_EQ(importError(),
            "<buffer>: node 'n1' (Neg): input 'b' is not produced by any "
            "node, initializer or graph input (or the graph has a cycle)");
}

TEST_F(ImporterTest, DuplicateOutputIsAnError) {
  float raw[1] = {1};
  addWeight("w", ::onnx::TensorProto::FLOAT, {1})
      ->set_raw_data(raw, sizeof(raw));
  auto *n = graph()->add_node();
  n->set_op_type("Neg");
  n->set_name("again");
  n->add_input("w");
  n->add_output("w_out");
  EXPECT_EQ(importError(),
            "<buffer>: node 'again' (Neg) [opset 17]: output 'w_out' is "
            "already produced by another node (not SSA)");
}

TEST_F(ImporterTest, ExternalDataNeedsAFolder) {
  auto *t = addWeight("e", ::onnx::TensorProto::FLOAT, {2});
  t->set_data_location(::onnx::TensorProto::EXTERNAL);
  auto *kv = t->add_external_data();
  kv->set_key("location");
  kv->set_value("w.bin");
  EXPECT_EQ(importError(""),
            "<buffer>: tensor 'e': external data needs the model's folder "
            "(model given as bytes)");
}

TEST_F(ImporterTest, ExternalDataOffsetAndLength) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-ext", dir));
  llvm::SmallString<128> file(dir);
  llvm::sys::path::append(file, "w.bin");
  {
    std::ofstream out(file.c_str(), std::ios::binary);
    float junk = 99.0f, vals[2] = {4.0f, 5.0f};
    out.write(reinterpret_cast<char *>(&junk), 4);
    out.write(reinterpret_cast<char *>(vals), 8);
  }
  auto *t = addWeight("e", ::onnx::TensorProto::FLOAT, {2});
  t->set_data_location(::onnx::TensorProto::EXTERNAL);
  for (auto [k, v] : {std::pair<const char *, const char *>{"location", "w.bin"},
                      {"offset", "4"},
                      {"length", "8"}}) {
    auto *kv = t->add_external_data();
    kv->set_key(k);
    kv->set_value(v);
  }
  auto m = import(dir);
  ASSERT_TRUE((bool)m) << llvm::toString(m.takeError());
  auto values = llvm::to_vector(constantOf(**m, 0).getValues<float>());
  EXPECT_EQ(values[0], 4.0f);
  EXPECT_EQ(values[1], 5.0f);
  // A bad offset is reported, not read.
  t->mutable_external_data(1)->set_value("-4");
  EXPECT_EQ(importError(dir),
            "<buffer>: tensor 'e': bad external data offset '-4'");
  llvm::sys::fs::remove_directories(dir);
}

TEST_F(ImporterTest, VersionChecks) {
  model.set_ir_version(kiln::onnx::maxSupportedIRVersion() + 1);
  EXPECT_NE(importError().find("is newer than the newest supported"),
            std::string::npos);
  model.set_ir_version(8);
  model.mutable_opset_import(0)->set_version(kiln::onnx::maxSupportedOpset() +
                                             1);
  EXPECT_NE(importError().find("ai.onnx opset"), std::string::npos);
}

} // namespace
