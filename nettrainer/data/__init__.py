"""Data sets: loaders per format, generators, preprocessing and fetching."""

from nettrainer.data.dataset import Dataset
from nettrainer.data.spiral import make_blobs, make_spiral

__all__ = ["Dataset", "make_blobs", "make_spiral"]
