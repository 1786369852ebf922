"""Shared fixtures: where the course's cat data lives (never copied into the repository).

The data folder is ``$AUTOGRAD_LITE_DATA`` if set, else the ``shared/data`` folder beside
this checkout.  Tests that need it are skipped, with the path in the reason, when the files
are not there.
"""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CAT_FILES = ("train_catvnoncat.h5", "test_catvnoncat.h5")


def find_data_dir():
    env = os.environ.get("AUTOGRAD_LITE_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir():
    """The folder holding train_catvnoncat.h5 and test_catvnoncat.h5."""
    folder = find_data_dir()
    missing = [name for name in CAT_FILES if not (folder / name).is_file()]
    if missing:
        pytest.skip(f"course data {', '.join(missing)} not found in {folder} "
                    "(set AUTOGRAD_LITE_DATA)")
    return folder


@pytest.fixture(scope="session")
def cat_data(data_dir):
    """The cat data, loaded once per session (do not modify its arrays)."""
    import nn
    return nn.datasets.load_catvnoncat(data_dir)
