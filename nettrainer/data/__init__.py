"""Data sets: loaders per format, generators, preprocessing and fetching.

``load(spec, seed=..., dtype=...)`` turns a config's ``data`` section into a
:class:`Dataset`; ``info`` describes a data set for ``nettrainer data info``;
:func:`nettrainer.data.fetch.fetch` downloads one with verified checksums for
``nettrainer data fetch`` (not re-exported here, so that the name
``nettrainer.data.fetch`` stays the module).
"""

from nettrainer.data.dataset import Dataset
from nettrainer.data.loader import DATASET_NAMES, load
from nettrainer.data.locations import missing_test_file
from nettrainer.data.preprocess import apply_preprocess, fit_preprocess
from nettrainer.data.spiral import make_blobs, make_spiral
from nettrainer.data.summary import DataInfo, SplitInfo, info

__all__ = [
    "DATASET_NAMES",
    "DataInfo",
    "Dataset",
    "SplitInfo",
    "apply_preprocess",
    "fit_preprocess",
    "info",
    "load",
    "make_blobs",
    "make_spiral",
    "missing_test_file",
]
