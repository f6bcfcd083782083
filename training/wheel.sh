# Source it: BUILD is then a fresh directory, removed when the script exits, and
# build_wheel BUILD NAME VERSION DESCRIPTION PACKAGE DIST makes a wheel of BUILD/PACKAGE (model.onnx
# and tokenizer.json beside its __init__.py) into DIST, built with the training venv.
BUILD="$(mktemp -d)"
trap 'rm -rf "$BUILD"' EXIT

build_wheel() {
    local build="$1" name="$2" version="$3" description="$4" package="$5" dist="$6"
    cat > "$build/pyproject.toml" <<TOML
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "$name"
version = "$version"
description = "$description"
requires-python = ">=3.10"

[tool.setuptools]
packages = ["$package"]

[tool.setuptools.package-data]
$package = ["model.onnx", "tokenizer.json"]
TOML
    .venv-train/bin/pip wheel --quiet --no-deps --no-build-isolation -w "$dist" "$build"
    ls -l "$dist"
}
