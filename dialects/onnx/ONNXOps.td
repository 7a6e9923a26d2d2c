//===- ONNXOps.td - the onnx dialect ------------------------*- tablegen -*-===//
//
// The import-level dialect: one op per ONNX operator of the default domain.
// The operator definitions are generated (ONNXGeneratedOps.td); this file
// holds the dialect, its types and the few ops the importer itself needs.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_ONNX_OPS
#define KILN_ONNX_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinTypes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def ONNX_Dialect : Dialect {
  let name = "onnx";
  let summary = "ONNX operators as imported from a model";
  let description = [{
    One op per operator of the ONNX default domain (`ai.onnx`), in the form of
    the newest operator version; the importer rewrites nodes of older opsets
    into that form. Optional inputs that a node omits are `none` values made
    by `onnx.None`; subgraphs (`If`, `Loop`, `Scan`) are regions whose block
    arguments are the subgraph inputs and whose terminator is `onnx.Yield`.
  }];
  let cppNamespace = "::kiln::onnx";
  let useDefaultTypePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

class ONNX_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<ONNX_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def ONNX_StringType : ONNX_Type<"String", "string"> {
  let summary = "ONNX string element type";
}

def ONNX_SeqType : ONNX_Type<"Seq", "seq"> {
  let summary = "ONNX sequence of tensors";
  let parameters = (ins "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
}

def ONNX_OptType : ONNX_Type<"Opt", "opt"> {
  let summary = "ONNX optional value";
  let parameters = (ins "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
}

class ONNX_Op<string mnemonic, list<Trait> traits = []>
    : Op<ONNX_Dialect, mnemonic, traits> {
  // Every op checks the element types its schema ties together.
  let hasVerifier = 1;
}

def ONNX_NoneOp : Op<ONNX_Dialect, "None", [Pure, ConstantLike]> {
  let summary = "the value of an omitted optional input";
  let results = (outs NoneType:$none);
  let assemblyFormat = "attr-dict";
  let hasFolder = 1;
}

def ONNX_YieldOp : Op<ONNX_Dialect, "Yield", [Pure, Terminator,
    ReturnLike]> {
  let summary = "the outputs of a subgraph (If/Loop/Scan body)";
  let arguments = (ins Variadic<AnyType>:$operands);
  let assemblyFormat = "attr-dict ($operands^ `:` type($operands))?";
}

include "ONNXGeneratedOps.td"

#endif // KILN_ONNX_OPS
