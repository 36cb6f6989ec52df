"""numpy's own BLAS for what numpy does not expose: gemm with ``beta``, and axpby.

numpy's ``matmul`` always overwrites its output, so an SGD step on a weight
matrix takes three passes over arrays its size: the product writes the gradient,
then the update reads it back with the weights and writes the next weights.
BLAS's gemm adds the product into the previous contents of ``C`` inside the
product itself (:func:`matmul_accumulate`), so
``W = (1 - lr * decay) * W - lr * (x.T @ dout)`` is one scaling pass and one
product. A momentum step also scales its velocity and adds the decayed weights
to it, ``v = momentum * v - lr * decay * W``: OpenBLAS's (and MKL's) axpby does
that in one pass (:func:`scaled_add`), where numpy takes three.

:func:`matmul_accumulate` and :func:`scaled_add` call the CBLAS routines of the
BLAS library numpy itself is linked against, through :mod:`ctypes`: the same
library and the same thread pool as every ``@`` in the step (a second BLAS,
such as scipy's, would keep its own threads spinning beside numpy's and slow
both down). The library is found among the files numpy ships or the process
has loaded, each routine is checked against numpy on small arrays once, and
where anything is missing or disagrees the same numbers come from numpy with a
temporary (:func:`fuses_in_blas` then says whether gemm is BLAS's).
"""

import ctypes
import functools
import glob
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112  # CBLAS enum values
# (symbol prefix, symbol suffix, integer type): numpy 2 wheels' scipy-openblas64 first,
# then OpenBLAS built with 64-bit integers, then the reference LP64 interface (MKL, OpenBLAS).
_SYMBOLS = (
    ("scipy_cblas_", "64_", ctypes.c_int64),
    ("cblas_", "64_", ctypes.c_int64),
    ("cblas_", "", ctypes.c_int),
)
_C_SCALARS = {np.dtype(np.float32): ctypes.c_float, np.dtype(np.float64): ctypes.c_double}
_LETTERS = {np.dtype(np.float32): "s", np.dtype(np.float64): "d"}

Gemm = Callable[[np.ndarray, np.ndarray, np.ndarray, float, float], None]
Axpby = Callable[[np.ndarray, np.ndarray, float, float], None]


def _library_paths() -> Iterator[str]:
    """Candidate BLAS libraries: those bundled with numpy, then those this process has loaded.

    Libraries shipped with scipy are skipped: their thread pool is not numpy's.
    """
    numpy_dir = os.path.dirname(np.__file__)
    for pattern in ("../numpy.libs/*blas*", ".dylibs/*blas*", "../numpy.libs/*mkl*"):
        yield from sorted(glob.glob(os.path.normpath(os.path.join(numpy_dir, pattern))))
    try:
        with open("/proc/self/maps") as maps:
            loaded = {line.split()[-1] for line in maps if "blas" in line or "mkl" in line}
    except OSError:  # not Linux
        return
    yield from sorted(p for p in loaded if p.startswith("/") and "scipy" not in os.path.dirname(p))


def _libraries() -> Iterator[ctypes.CDLL]:
    """Load the candidate libraries of :func:`_library_paths`, skipping any that will not load."""
    for path in _library_paths():
        try:
            yield ctypes.CDLL(path)
        except OSError:
            continue


def _gemm_argtypes(integer: type, scalar: type) -> list[type]:
    pointer = ctypes.c_void_p
    return [ctypes.c_int, ctypes.c_int, ctypes.c_int, integer, integer, integer,
            scalar, pointer, integer, pointer, integer, scalar, pointer, integer]


def _axpby_argtypes(integer: type, scalar: type) -> list[type]:
    pointer = ctypes.c_void_p
    return [integer, scalar, pointer, integer, scalar, pointer, integer]


def _bind(library: ctypes.CDLL, routine: str, dtype: np.dtype) -> Callable | None:
    """Return ``routine`` ("gemm" or "axpby") for ``dtype`` from ``library``'s CBLAS symbols."""
    argtypes, call = _ROUTINES[routine]
    for prefix, suffix, integer in _SYMBOLS:
        function = getattr(library, f"{prefix}{_LETTERS[dtype]}{routine}{suffix}", None)
        if function is not None:
            function.restype = None
            function.argtypes = argtypes(integer, _C_SCALARS[dtype])
            return functools.partial(call, function)
    return None


def _row_major(m: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Return ``(array, trans, leading_dimension)`` with ``op(array) == m`` in row-major CBLAS.

    ``m`` or its transpose passes without a copy when its rows are evenly spaced
    runs of adjacent elements; anything else is copied into C order.
    """
    for candidate, trans in ((m, NO_TRANS), (m.T, TRANS)):
        rows, columns = candidate.shape
        itemsize = candidate.itemsize
        rows_step = candidate.strides[0] if rows > 1 else columns * itemsize  # any stride fits
        columns_step = candidate.strides[1] if columns > 1 else itemsize  # a dimension of 1
        if columns_step == itemsize and rows_step >= columns * itemsize:
            return candidate, trans, rows_step // itemsize
    copy = np.ascontiguousarray(m)
    return copy, NO_TRANS, copy.shape[1]


def _call_gemm(
    function: Callable[..., None], a: np.ndarray, b: np.ndarray, out: np.ndarray,
    alpha: float, beta: float,
) -> None:
    """``out = alpha * a @ b + beta * out`` through a bound CBLAS gemm; ``out`` C-contiguous."""
    (m, k), n = a.shape, b.shape[1]
    a_array, a_trans, lda = _row_major(a)
    b_array, b_trans, ldb = _row_major(b)
    function(ROW_MAJOR, a_trans, b_trans, m, n, k, alpha, a_array.ctypes.data, max(lda, 1),
             b_array.ctypes.data, max(ldb, 1), beta, out.ctypes.data, max(n, 1))


def _call_axpby(
    function: Callable[..., None], x: np.ndarray, out: np.ndarray, alpha: float, beta: float
) -> None:
    """``out = alpha * x + beta * out`` through a bound CBLAS axpby; both C-contiguous."""
    function(out.size, alpha, x.ctypes.data, 1, beta, out.ctypes.data, 1)


_ROUTINES = {"gemm": (_gemm_argtypes, _call_gemm), "axpby": (_axpby_argtypes, _call_axpby)}


def _tolerance(dtype: np.dtype) -> float:
    return 1e-4 if dtype == np.float32 else 1e-12


def _gemm_passes_self_test(gemm: Gemm, dtype: np.dtype) -> bool:
    """Whether ``gemm`` agrees with numpy on small products in every layout the step uses."""
    rng = np.random.default_rng(0)
    tolerance = _tolerance(dtype)
    for shape_a, shape_b in (((5, 3), (3, 4)), ((1, 7), (7, 1)), ((6, 2), (2, 3))):
        a = rng.standard_normal(shape_a).astype(dtype)
        b = rng.standard_normal(shape_b).astype(dtype)
        for a_view in (a, np.asfortranarray(a), np.ascontiguousarray(a.T).T):
            out = rng.standard_normal((shape_a[0], shape_b[1])).astype(dtype)
            expected = -0.5 * (a @ b) + 0.75 * out
            gemm(a_view, b, out, -0.5, 0.75)
            if not np.allclose(out, expected, rtol=tolerance, atol=tolerance):
                return False
    return True


def _axpby_passes_self_test(axpby: Axpby, dtype: np.dtype) -> bool:
    """Whether ``axpby`` agrees with numpy on small arrays, matrices included."""
    rng = np.random.default_rng(0)
    tolerance = _tolerance(dtype)
    for shape in ((1,), (9,), (3, 5)):
        x, out = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
        expected = -0.5 * x + 0.75 * out
        axpby(x, out, -0.5, 0.75)
        if not np.allclose(out, expected, rtol=tolerance, atol=tolerance):
            return False
    return True


@functools.cache
def _blas_routines(dtype: np.dtype) -> dict[str, Callable]:
    """Return the checked CBLAS ``gemm`` (and ``axpby``, if offered) of numpy's BLAS for ``dtype``.

    Both come from the first library whose gemm passes its self-test; empty
    where there is none.
    """
    if dtype not in _C_SCALARS:
        return {}
    for library in _libraries():
        gemm = _bind(library, "gemm", dtype)
        if gemm is not None and _gemm_passes_self_test(gemm, dtype):
            axpby = _bind(library, "axpby", dtype)
            usable = axpby is not None and _axpby_passes_self_test(axpby, dtype)
            return {"gemm": gemm, "axpby": axpby} if usable else {"gemm": gemm}
    return {}


def fuses_in_blas(dtype: np.dtype | type) -> bool:
    """Whether :func:`matmul_accumulate` runs as one BLAS gemm for arrays of ``dtype``.

    True for float32 and float64 where numpy's BLAS library offers CBLAS gemm.
    """
    return "gemm" in _blas_routines(np.dtype(dtype))


def matmul_accumulate(
    a: np.ndarray, b: np.ndarray, out: np.ndarray, *, alpha: float, beta: float
) -> np.ndarray:
    """Overwrite ``out`` with ``alpha * (a @ b) + beta * out``.

    Parameters
    ----------
    a : ndarray of shape (M, K)
    b : ndarray of shape (K, N)
    out : ndarray of shape (M, N)
        Read, scaled by ``beta`` and overwritten.
    alpha, beta : float
        With ``beta=1``, BLAS skips its own pass scaling ``out``.

    Returns
    -------
    out : ndarray of shape (M, N)
        The same array. One BLAS gemm where :func:`fuses_in_blas` holds for
        the common dtype and ``out`` is C-contiguous; numpy with a temporary
        the size of ``out`` otherwise. Both are the formula up to round-off.
    """
    gemm = _blas_routines(out.dtype).get("gemm") if a.dtype == b.dtype == out.dtype else None
    if gemm is None or not out.flags.c_contiguous or out.size == 0:
        product = np.matmul(a, b)
        product *= alpha
        out *= beta
        out += product
        return out
    gemm(a, b, out, alpha, beta)
    return out


def scaled_add(x: np.ndarray, out: np.ndarray, *, alpha: float, beta: float) -> np.ndarray:
    """Overwrite ``out`` with ``alpha * x + beta * out``.

    Parameters
    ----------
    x : ndarray of any shape
    out : ndarray of the shape of ``x``
        Read, scaled by ``beta`` and overwritten.
    alpha, beta : float

    Returns
    -------
    out : ndarray
        The same array. One pass of BLAS's axpby where numpy's BLAS offers it
        for the common dtype and both arrays are C-contiguous; numpy with a
        temporary the size of ``x`` otherwise. Both are the formula up to round-off.
    """
    axpby = _blas_routines(out.dtype).get("axpby") if x.dtype == out.dtype else None
    if axpby is None or not (x.flags.c_contiguous and out.flags.c_contiguous) or out.size == 0:
        out *= beta
        out += alpha * x
        return out
    axpby(x, out, alpha, beta)
    return out


# (get, set) of the thread count: numpy 2 wheels' scipy-openblas64, OpenBLAS built with
# 64-bit integers, plain OpenBLAS, MKL.
_THREAD_SYMBOLS = (
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
    ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
    ("openblas_get_num_threads", "openblas_set_num_threads"),
    ("MKL_Get_Max_Threads", "MKL_Set_Num_Threads"),
)


@functools.cache
def _thread_count_functions() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """Return numpy's BLAS's (get, set) thread-count functions, or None where none is found."""
    for library in _libraries():
        for get_name, set_name in _THREAD_SYMBOLS:
            get, set_ = getattr(library, get_name, None), getattr(library, set_name, None)
            if get is not None and set_ is not None:
                get.restype, get.argtypes = ctypes.c_int, []
                set_.restype, set_.argtypes = None, [ctypes.c_int]
                return get, set_
    return None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run numpy's BLAS on one thread inside the block, then restore its thread count.

    For loops of many tiny products (numerical gradients evaluate a loss on a
    handful of examples thousands of times): a second thread gains nothing on
    them, and on a busy machine its hand-offs cost up to a scheduler tick per
    product, which made a CIFAR-sized gradient check 50 times slower. Only the
    main thread changes the count; elsewhere, and where numpy's BLAS offers no
    thread control, the block runs unchanged.
    """
    functions = _thread_count_functions()
    if functions is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    get, set_ = functions
    previous = get()
    set_(1)
    try:
        yield
    finally:
        set_(previous)
