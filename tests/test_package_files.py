"""What a package carries besides code: the licence, type-checker markers, one version."""
import importlib.metadata
from pathlib import Path

from setuptools.config.setupcfg import read_configuration

import autograd_lite
import nn

REPO = Path(__file__).resolve().parent.parent


def setup_cfg():
    return read_configuration(REPO / "setup.cfg")


def test_the_license_file_is_the_mit_license_setup_cfg_declares():
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 the autograd_lite authors" in text
    assert "Permission is hereby granted, free of charge" in text
    assert setup_cfg()["metadata"]["license"] == "MIT"


def test_both_packages_are_marked_typed_and_install_the_marker():
    package_data = setup_cfg()["options"]["package_data"]
    for package in ("autograd_lite", "nn"):
        assert (REPO / package / "py.typed").is_file()
        assert "py.typed" in package_data[package]


def test_one_version_for_both_packages_and_the_distribution():
    assert nn.__version__ == autograd_lite.__version__
    assert setup_cfg()["metadata"]["version"] == autograd_lite.__version__   # attr: in setup.cfg
    assert importlib.metadata.version("autograd_lite") == autograd_lite.__version__


def test_the_readme_says_how_to_run_pytest_directly():
    assert ".venv/bin/python -m pytest" in (REPO / "README.md").read_text(encoding="utf-8")
