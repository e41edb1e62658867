"""Builds the tokalign Python package against libtokalign, found in this order:

1. TOKALIGN_BUILD_DIR: a CMake build tree of this repository (its libtokalign.a
   is linked in; headers from ../include);
2. pkg-config tokalign: an installed library (`cmake --install`), linked as
   `pkg-config --libs tokalign` says;
3. otherwise, when setup.py sits in the tokalign source tree, the static
   library is built first with CMake (cmake and the -dev packages of
   scripts/bootstrap.sh are needed; nothing is downloaded).

    pip install --no-build-isolation --no-index ./python
"""
import os
import re
import shlex
import subprocess
import sys

import numpy
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
DEPS = ["libutf8proc", "libpcre2-8", "jansson", "icu-uc"]


def pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config", *args], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return shlex.split(out)


def project_version():
    try:
        text = open(os.path.join(SOURCE, "CMakeLists.txt")).read()
        return re.search(r"project\(tokalign VERSION ([0-9.]+)", text).group(1)
    except (OSError, AttributeError):
        v = pkg_config("--modversion", "tokalign")
        return v[0] if v else "0"


VERSION = project_version()


def static_link(build_dir):
    lib = os.path.join(build_dir, "libtokalign.a")
    if not os.path.exists(lib):
        sys.exit("setup.py: %s not found (build the library first: cmake --build %s)" % (lib, build_dir))
    deps = pkg_config("--libs", *DEPS) or ["-lutf8proc", "-lpcre2-8", "-ljansson", "-licuuc"]
    # build_dir/include holds the generated tokalign/version.h of newer trees
    return dict(include_dirs=[os.path.join(SOURCE, "include"), os.path.join(build_dir, "include")],
                extra_objects=[lib],
                extra_link_args=deps + ["-lcsv", "-lpthread", "-lm"])


class BuildExt(build_ext):
    def build_extensions(self):
        ext = self.extensions[0]
        build_dir = os.environ.get("TOKALIGN_BUILD_DIR")
        if build_dir:
            link = static_link(os.path.abspath(build_dir))
        elif pkg_config("--exists", "tokalign") is not None:
            link = dict(include_dirs=[a[2:] for a in pkg_config("--cflags-only-I", "tokalign")],
                        extra_link_args=pkg_config("--libs", "tokalign"))
        elif os.path.exists(os.path.join(SOURCE, "CMakeLists.txt")):
            build_dir = os.path.join(os.path.abspath(self.build_temp), "libtokalign")
            subprocess.run(["cmake", "-S", SOURCE, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                            "-DTKA_TESTS=OFF", "-DTKA_PYTHON=OFF"], check=True)
            jobs = str(os.cpu_count() or 2)
            # tokalign_static where the library is installable (an OBJECT `tokalign`), else `tokalign`
            if subprocess.run(["cmake", "--build", build_dir, "--target", "tokalign_static", "-j", jobs]).returncode:
                subprocess.run(["cmake", "--build", build_dir, "--target", "tokalign", "-j", jobs], check=True)
            link = static_link(build_dir)
        else:
            sys.exit("setup.py: no libtokalign (set TOKALIGN_BUILD_DIR or install tokalign.pc)")
        ext.include_dirs += link.get("include_dirs", [])
        ext.extra_objects += link.get("extra_objects", [])
        ext.extra_link_args += link.get("extra_link_args", [])
        super().build_extensions()


setup(
    name="tokalign",
    version=VERSION,
    description="HuggingFace / PaddleNLP tokenizers, samplers, collators and reprod_log dumps, bit-exact, in C",
    packages=["tokalign"],
    ext_modules=[Extension(
        "tokalign._tokalign", ["tokalign/_tokalign.c"], include_dirs=[numpy.get_include()],
        define_macros=[("TOKALIGN_PY_VERSION", '"%s"' % VERSION)], extra_compile_args=["-std=c11"])],
    cmdclass={"build_ext": BuildExt},
    python_requires=">=3.9",
    install_requires=["numpy"],
)
