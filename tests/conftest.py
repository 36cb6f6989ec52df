"""Shared fixtures for the test suite."""

from collections.abc import Callable

import numpy as np
import pytest


def _numeric_gradient(f: Callable[[], np.ndarray | float], x: np.ndarray, df=None, h=1e-5):
    """Centred-difference gradient of ``sum(f() * df)`` (or of scalar ``f()``) w.r.t. ``x``.

    ``f`` takes no argument: it reads ``x``, which is perturbed in place and
    restored. Written here, independently of ``nettrainer.gradcheck``, so that
    the layer and model tests do not depend on the code they would check.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        plus = np.array(f(), dtype=np.float64, copy=True)
        x[index] = original - h
        minus = np.array(f(), dtype=np.float64, copy=True)
        x[index] = original
        upstream = 1.0 if df is None else df
        grad[index] = np.sum((plus - minus) * upstream) / (2 * h)
    return grad


@pytest.fixture(scope="session")
def numeric_gradient():
    """Return ``numeric_gradient(f, x, df=None, h=1e-5)``; session scope suits hypothesis."""
    return _numeric_gradient



@pytest.fixture(params=["blas", "numpy"])
def blas_backend(request, monkeypatch):
    """Run a test with numpy's BLAS routines, then with the numpy fallbacks of nettrainer.blas."""
    if request.param == "numpy":
        from nettrainer import blas

        monkeypatch.setattr(blas, "_blas_routines", lambda dtype: {})
    return request.param


@pytest.fixture
def drawn(monkeypatch):
    """Record what each figure holds instead of rendering it (rendering is the slow part)."""
    figures = []

    def recording_save(fig, out, picture_format):
        figures.append({
            "titles": [ax.get_title() for ax in fig.axes],
            "yscales": [ax.get_yscale() for ax in fig.axes],
            "legend": [text.get_text() for legend in fig.legends for text in legend.texts],
            "texts": [text.get_text() for ax in fig.axes for text in ax.texts],
            "panel_legends": [[text.get_text() for text in ax.get_legend().texts]
                              if ax.get_legend() else [] for ax in fig.axes],
            "markers": [[line.get_marker() for line in ax.lines] for ax in fig.axes],
        })
        return out

    from nettrainer import plots

    monkeypatch.setattr(plots, "_save", recording_save)
    return figures
