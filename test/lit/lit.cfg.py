# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".py"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test", "lit")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.kiln_python))
config.substitutions.append(("%kiln_src", config.kiln_src_root))
config.substitutions.append(("%kiln_lib", config.kiln_lib_dir))
# Helper that builds small ONNX models with onnx.helper at test time.
config.substitutions.append(
    ("%mkmodel", config.kiln_python + " " +
     os.path.join(config.kiln_src_root, "test", "lit", "Inputs", "mkmodel.py")))

# Hand-written stand-ins for compiled models (test/unit/fake_model).
for name, lib in [("%kiln_fake_model_badabi", "fake_model_badabi.so"),
                  ("%kiln_fake_model_odd_name", "fake_model_odd_name.so"),
                  ("%kiln_fake_model", "fake_model.so")]:
    config.substitutions.append((name, os.path.join(config.kiln_lib_dir, lib)))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.kiln_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["kiln-opt", "kiln-compile", "kiln-run", "kiln-runner"], tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.kiln_tools_dir, append_path=True)

# Cross targets that can be run here: the Debian cross libc, the runtime and
# kiln-runner cross-built for it, and qemu-user.
import shutil
for arch, multiarch in [("aarch64", "aarch64-linux-gnu"),
                        ("arm", "arm-linux-gnueabihf"),
                        ("riscv64", "riscv64-linux-gnu")]:
    if shutil.which("qemu-" + arch) and os.path.exists(
            "/usr/%s/lib/libc.so.6" % multiarch) and os.path.exists(
            os.path.join(config.kiln_lib_dir, multiarch, "libkiln_rt.a")):
        config.available_features.add("run-" + multiarch)
        if os.path.exists(os.path.join(config.kiln_lib_dir, multiarch, "kiln-runner")):
            config.available_features.add("runner-" + multiarch)
# Bare metal: the Arm embedded toolchain (newlib) and qemu-system-arm.
if shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc") and \
        os.path.exists(os.path.join(config.kiln_lib_dir, "thumbv7em-none-eabihf", "libkiln_rt.a")):
    config.available_features.add("run-thumbv7em-none-eabihf")
config.substitutions.append(("%kiln_build", config.kiln_obj_root))
config.substitutions.append(
    ("%cross_check", config.kiln_python + " " +
     os.path.join(config.kiln_src_root, "test", "lit", "e2e", "Inputs", "cross_check.py") +
     " --build " + config.kiln_obj_root))
