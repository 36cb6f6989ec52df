"""matmul_accumulate (gemm) and scaled_add (axpby), through numpy's BLAS and without it."""

import numpy as np
import pytest

from nettrainer import blas
from nettrainer.numerical import eval_numerical_gradient, eval_numerical_gradient_array

LAYOUTS = {
    "C": np.ascontiguousarray,
    "F": np.asfortranarray,
    "strided": lambda m: np.repeat(m, 2, axis=1)[:, ::2],
}
RTOL = {np.float64: 1e-13, np.float32: 1e-5}


def reference(a, b, c, alpha, beta):
    return alpha * (a.astype(np.float64) @ b.astype(np.float64)) + beta * c.astype(np.float64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("a_layout", list(LAYOUTS))
@pytest.mark.parametrize("b_layout", list(LAYOUTS))
@pytest.mark.parametrize(("m", "k", "n"), [(7, 5, 3), (1, 4, 6), (6, 4, 1), (1, 1, 1)])
def test_matmul_accumulate_is_the_gemm_formula(blas_backend, dtype, a_layout, b_layout, m, k, n):
    rng = np.random.default_rng(m * 100 + k * 10 + n)
    a = LAYOUTS[a_layout](rng.standard_normal((m, k)).astype(dtype))
    b = LAYOUTS[b_layout](rng.standard_normal((k, n)).astype(dtype))
    out = rng.standard_normal((m, n)).astype(dtype)
    expected = reference(a, b, out, -0.3, 0.9)
    result = blas.matmul_accumulate(a, b, out, alpha=-0.3, beta=0.9)
    assert result is out
    np.testing.assert_allclose(out, expected, rtol=RTOL[dtype], atol=RTOL[dtype])


def test_matmul_accumulate_takes_a_transposed_view_as_a():
    """The model passes ``x.T`` (Fortran-ordered) for the first operand, as in ``x.T @ dout``."""
    rng = np.random.default_rng(1)
    x, dout = rng.standard_normal((20, 9)), rng.standard_normal((20, 4))
    w = rng.standard_normal((9, 4))
    expected = reference(x.T, dout, w, -0.01, 0.999)
    blas.matmul_accumulate(x.T, dout, w, alpha=-0.01, beta=0.999)
    np.testing.assert_allclose(w, expected, rtol=1e-13)


def test_a_non_contiguous_out_is_updated_in_place(blas_backend):
    rng = np.random.default_rng(2)
    base = rng.standard_normal((6, 10))
    out = base[:, ::2]  # a view: the update must land in base
    a, b = rng.standard_normal((6, 3)), rng.standard_normal((3, 5))
    expected = reference(a, b, out, 2.0, -1.0)
    blas.matmul_accumulate(a, b, out, alpha=2.0, beta=-1.0)
    np.testing.assert_allclose(base[:, ::2], expected, rtol=1e-13)


def test_beta_zero_ignores_what_out_held():
    a, b = np.ones((2, 3)), np.ones((3, 2))
    out = np.full((2, 2), 7.0)
    blas.matmul_accumulate(a, b, out, alpha=1.0, beta=0.0)
    np.testing.assert_array_equal(out, np.full((2, 2), 3.0))


def test_fuses_in_blas_only_for_float_dtypes_with_a_blas(monkeypatch):
    assert blas.fuses_in_blas(np.float32) and blas.fuses_in_blas(np.float64)
    assert not blas.fuses_in_blas(np.float16)
    assert not blas.fuses_in_blas(np.int64)
    monkeypatch.setattr(blas, "_blas_routines", lambda dtype: {})
    assert not blas.fuses_in_blas(np.float64)


def test_mixed_dtypes_fall_back_to_numpy():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal((3, 2))
    out = rng.standard_normal((4, 2))
    expected = reference(a, b, out, 0.5, 2.0)
    blas.matmul_accumulate(a, b, out, alpha=0.5, beta=2.0)
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_a_gemm_that_disagrees_with_numpy_fails_the_self_test():
    def transposed_by_mistake(a, b, out, alpha, beta):
        out[...] = alpha * (a @ b).T.reshape(out.shape) + beta * out

    for dtype in (np.dtype(np.float32), np.dtype(np.float64)):
        assert blas._gemm_passes_self_test(blas._blas_routines(dtype)["gemm"], dtype)
        assert not blas._gemm_passes_self_test(transposed_by_mistake, dtype)


def test_an_axpby_that_disagrees_with_numpy_fails_the_self_test():
    def alpha_and_beta_swapped(x, out, alpha, beta):
        out[...] = beta * x + alpha * out

    for dtype in (np.dtype(np.float32), np.dtype(np.float64)):
        assert blas._axpby_passes_self_test(blas._blas_routines(dtype)["axpby"], dtype)
        assert not blas._axpby_passes_self_test(alpha_and_beta_swapped, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(1,), (13,), (7, 5), (0, 3)])
def test_scaled_add_is_the_axpby_formula(blas_backend, dtype, shape):
    rng = np.random.default_rng(sum(shape))
    x, out = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
    expected = -0.3 * x.astype(np.float64) + 0.9 * out.astype(np.float64)
    result = blas.scaled_add(x, out, alpha=-0.3, beta=0.9)
    assert result is out
    np.testing.assert_allclose(out, expected, rtol=RTOL[dtype], atol=RTOL[dtype])


def test_scaled_add_updates_a_non_contiguous_out_in_place():
    rng = np.random.default_rng(4)
    base, x = rng.standard_normal((4, 10)), rng.standard_normal((4, 5))
    expected = 2.0 * x - base[:, ::2]
    blas.scaled_add(x, base[:, ::2], alpha=2.0, beta=-1.0)
    np.testing.assert_allclose(base[:, ::2], expected, rtol=1e-13)



def test_the_blas_found_is_one_numpy_loaded_and_never_scipys():
    paths = list(blas._library_paths())
    assert paths and all("scipy" not in p.rsplit("/", 2)[-2] for p in paths)
    with open("/proc/self/maps") as maps:
        loaded = maps.read()
    assert paths[0] in loaded


@pytest.fixture
def two_blas_threads():
    """numpy's BLAS on two threads, as on this 2-core machine, whatever the CI machine has."""
    get, set_ = blas._thread_count_functions()  # numpy's wheels ship OpenBLAS with them
    previous = get()
    set_(2)
    yield get
    set_(previous)


def test_one_blas_thread_runs_numpys_blas_on_one_thread_and_restores_the_count(two_blas_threads):
    get = two_blas_threads
    with blas.one_blas_thread():
        assert get() == 1
    assert get() == 2
    with pytest.raises(KeyError), blas.one_blas_thread():
        raise KeyError
    assert get() == 2


def test_numerical_gradients_evaluate_on_one_blas_thread(two_blas_threads):
    get = two_blas_threads
    counts = []

    def f(x):
        counts.append(get())
        return float(np.sum(x**2))

    def f_array(x):
        counts.append(get())
        return x * 2

    x = np.arange(3.0)
    np.testing.assert_allclose(eval_numerical_gradient(f, x), 2 * x, atol=1e-6)
    np.testing.assert_allclose(
        eval_numerical_gradient_array(f_array, x, np.ones(3)), [2.0, 2.0, 2.0], atol=1e-6
    )
    assert counts == [1] * 12
    assert get() == 2
