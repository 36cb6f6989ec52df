"""check_layer / check_loss on correct layers and on the broken ones in broken_layers.py."""

import dataclasses
import sys
from pathlib import Path

import broken_layers as broken
import numpy as np
import pytest

import nettrainer.gradcheck
from nettrainer import layers, reports, usercode
from nettrainer.errors import ConfigError
from nettrainer.layercheck import ConventionError, LayerCheck, check_layer, check_loss
from nettrainer.reports import results_table

RNG_SEED = 7


def affine_inputs(seed=RNG_SEED):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((5, 3, 2)), rng.standard_normal((6, 4)), rng.standard_normal(4)]


def scores_labels(seed=RNG_SEED, n=5, c=4):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, c)), rng.integers(0, c, size=n)


def only_failure(checks):
    failed = [c for c in checks if not c.passed]
    assert len(failed) == 1, checks
    return failed[0]


def test_reexported_from_gradcheck():
    assert nettrainer.gradcheck.check_layer is check_layer
    assert nettrainer.gradcheck.check_loss is check_loss
    assert nettrainer.gradcheck.LayerCheck is LayerCheck
    with pytest.raises(AttributeError):
        nettrainer.gradcheck.no_such_thing  # noqa: B018


@pytest.mark.parametrize(
    ("forward", "backward", "shapes"),
    [
        (layers.affine_forward, layers.affine_backward, None),
        (layers.affine_relu_forward, layers.affine_relu_backward, None),
        (layers.relu_forward, layers.relu_backward, [(4, 5)]),
    ],
)
def test_correct_layers_pass_with_names_from_the_signature(forward, backward, shapes):
    rng = np.random.default_rng(RNG_SEED)
    inputs = affine_inputs() if shapes is None else [rng.standard_normal(s) for s in shapes]
    checks = check_layer(forward, backward, inputs)
    assert [c.parameter for c in checks] == (["dx", "dw", "db"] if shapes is None else ["dx"])
    assert all(c.passed and c.hint is None and c.worst_index is None for c in checks), checks
    assert all(c.name == backward.__name__ for c in checks)


@pytest.mark.parametrize("loss_fn", [layers.softmax_loss, layers.svm_loss])
def test_correct_losses_pass(loss_fn):
    (check,) = check_loss(loss_fn, *scores_labels())
    assert check.passed and check.parameter == "dx" and check.rel_error < 1e-7


def test_dict_inputs_name_the_records_and_are_not_modified():
    inputs = dict(zip(("a", "weights", "bias"), affine_inputs(), strict=True))
    before = {k: v.copy() for k, v in inputs.items()}
    checks = check_layer(layers.affine_forward, layers.affine_backward, inputs, seed=3)
    assert [c.parameter for c in checks] == ["da", "dweights", "dbias"]
    for key, value in inputs.items():
        np.testing.assert_array_equal(value, before[key])


def test_records_fit_the_results_table_and_are_frozen():
    x = np.linspace(-1, 1, 12)
    checks = check_layer(layers.relu_forward, broken.relu_backward_no_mask, [x])
    table = results_table(checks)
    assert "relu_backward_no_mask" in table and "FAIL" in table
    with pytest.raises(dataclasses.FrozenInstanceError):
        checks[0].passed = True  # type: ignore[misc]
    fields = {f.name for f in dataclasses.fields(LayerCheck)}
    assert {"name", "parameter", "rel_error", "threshold", "passed", "worst_index", "analytic",
            "numeric", "hint"} <= fields


def test_missing_relu_mask_is_caught_with_the_worst_entry():
    x = np.linspace(-1, 1, 12).reshape(3, 4) + 0.05
    check = only_failure(check_layer(layers.relu_forward, broken.relu_backward_no_mask, [x]))
    assert x[check.worst_index] <= 0  # the mask should have blocked it
    assert check.numeric == 0.0 and check.analytic != 0.0
    assert "missing mask" in check.hint and "ReLU" in check.hint


def test_relu_mask_on_the_wrong_array_is_a_missing_path():
    x = np.random.default_rng(1).standard_normal((4, 5))
    check = only_failure(check_layer(layers.relu_forward, broken.relu_backward_mask_of_dout, [x]))
    assert check.hint.startswith("zero where the numeric gradient is not")
    assert "ReLU mask applied to the wrong array" in check.hint


def test_missing_mean_in_softmax_is_off_by_n():
    (check,) = check_loss(broken.softmax_loss_missing_mean, *scores_labels(n=5))
    assert not check.passed
    assert "off by a factor of N=5" in check.hint and "1/N" in check.hint
    assert check.analytic == pytest.approx(5 * check.numeric, rel=1e-5)


def test_softmax_without_subtracting_onehot():
    (check,) = check_loss(broken.softmax_loss_no_onehot, *scores_labels())
    assert not check.passed
    assert check.hint.startswith("dx should be (probs - onehot)/N")
    assert "subtract the one-hot" in check.hint


def test_softmax_without_the_jacobian():
    (check,) = check_loss(broken.softmax_loss_no_jacobian, *scores_labels())
    assert not check.passed
    assert "dx should be (probs - onehot)/N" in check.hint
    assert "softmax Jacobian diag(p) - p pᵀ" in check.hint


def test_half_reg_convention_in_a_regularised_affine():
    checks = check_layer(broken.affine_softmax_l2_forward,
                         broken.affine_softmax_l2_backward_half_reg, affine_inputs())
    check = only_failure(checks)
    assert check.parameter == "dw"
    assert "the L2 convention" in check.hint and "2*reg*W" in check.hint
    assert "a multiple of the weight itself" in check.hint


def test_half_reg_alone_is_off_by_2():
    w = np.random.default_rng(2).standard_normal((3, 4))
    check = only_failure(check_layer(broken.l2_forward, broken.l2_backward_half, {"W": w}))
    assert check.hint.startswith("off by 2: the L2 convention")


def test_transposed_weight_gradient_is_reported_not_raised():
    check = only_failure(check_layer(layers.affine_forward, broken.affine_backward_transposed,
                                     affine_inputs()))
    assert check.parameter == "dw" and check.rel_error == float("inf")
    assert check.hint.startswith("transposed: the gradient has shape (4, 6) but the input has")


def test_a_square_weight_gradient_transposed_is_named_so():
    """dout.T @ x for a 6 x 6 weight has the right shape: only its values say transposed."""
    rng = np.random.default_rng(1)
    inputs = [rng.standard_normal((5, 6)), rng.standard_normal((6, 6)), rng.standard_normal(6)]
    check = only_failure(check_layer(layers.affine_forward, broken.affine_backward_transposed,
                                     inputs))
    assert check.parameter == "dw" and check.hint == (
        "transposed: the gradient's transpose matches the numeric one (a square 6 x 6 input "
        "keeps the shapes equal); a weight gradient is x.T @ dout (D, M), a data gradient "
        "dout @ w.T (N, D)")


def test_an_extra_one_over_n_names_the_gradient_it_is_in():
    check = only_failure(check_layer(layers.affine_forward, broken.affine_backward_dw_over_n,
                                     affine_inputs()))
    assert check.parameter == "dw" and check.hint.endswith("so an extra 1/N in dw"), check.hint


def test_flat_dx_is_a_shape_mismatch():
    check = only_failure(check_layer(layers.affine_forward, broken.affine_backward_flat_dx,
                                     affine_inputs()))
    assert check.parameter == "dx"
    assert check.hint.startswith("shape mismatch: the gradient has shape (5, 6)")


def test_wrong_number_of_gradients():
    checks = check_layer(layers.affine_forward, broken.affine_backward_two_grads, affine_inputs())
    assert not any(c.passed for c in checks)
    assert "returned 2 gradient(s) for 3 input(s)" in checks[0].hint


def test_sign_flip_and_unknown_factor():
    x = np.random.default_rng(3).standard_normal((4, 5))
    flipped = only_failure(check_layer(layers.relu_forward,
                                       lambda d, c: -layers.relu_backward(d, c), [x]))
    assert "sign is flipped" in flipped.hint
    scaled = only_failure(check_layer(layers.relu_forward,
                                      lambda d, c: 1.5 * layers.relu_backward(d, c), [x]))
    assert "constant factor 1.5" in scaled.hint


def test_extra_one_over_n_on_a_weight():
    def backward(dout, cache):
        dx, dw, db = layers.affine_backward(dout, cache)
        return dx, dw / cache[0].shape[0], db

    check = only_failure(check_layer(layers.affine_forward, backward, affine_inputs()))
    assert "off by a factor of N=5" in check.hint and "so an extra 1/N" in check.hint


def test_hints_text_lists_only_failures():
    good = check_layer(layers.relu_forward, layers.relu_backward, [np.ones((2, 3))])
    bad = check_layer(layers.relu_forward, broken.relu_backward_no_mask, [-np.ones((2, 3))])
    text = reports.hints_text(good + bad)
    assert text.count("\n") == 0 and text.startswith("relu_backward_no_mask dx: worst entry")
    assert "hint: nonzero where the numeric gradient is zero" in text


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nettrainer.layers:affine_forward", "--layer must be PATH_OR_MODULE:FORWARD:BACKWARD"),
        ("no_such_module_xyz:f:b", "cannot import no_such_module_xyz"),
        ("missing/file.py:f:b", "no such file: missing/file.py"),
        ("nettrainer.layers:affine_forward:affine_backwards", "has no function 'affine_backwards'"),
    ],
)
def test_bad_specs_are_config_errors(spec, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        usercode.load_functions(spec, 2, "--layer")


@pytest.mark.parametrize("text", ["4x5", "", "4,0", "4,-1", "a"])
def test_bad_shapes(text):
    with pytest.raises(ConfigError, match="--shape must be comma-separated integers"):
        usercode.parse_shape(text)


def test_check_user_code_from_a_module_and_shape_count():
    spec = "nettrainer.layers:affine_forward:affine_backward"
    checks = usercode.check_user_code(spec, None, ["4,5", "5,3", "3"])
    assert [c.parameter for c in checks] == ["dx", "dw", "db"] and all(c.passed for c in checks)
    with pytest.raises(ConfigError, match=r"takes 3 input\(s\) \(x, w, b\)"):
        usercode.check_user_code(spec, None, ["4,5"])
    with pytest.raises(ConfigError, match="exactly one of"):
        usercode.check_user_code(None, None, ["4,5"])
    with pytest.raises(ConfigError, match="--loss takes one --shape N,C"):
        usercode.check_user_code(None, "nettrainer.layers:softmax_loss", ["4,5,6"])


# The command line: nettrainer gradcheck --layer / --loss on a file written into tmp_path.

MY_LAYERS = '''
import numpy as np


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def relu_forward(x):
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    return dout  # forgot the mask


def softmax_loss(x, y):
    p = np.exp(x - x.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    n = x.shape[0]
    loss = -np.log(p[np.arange(n), y]).mean()
    p[np.arange(n), y] -= 1
    return loss, p  # forgot / n


def exploding_forward(x):
    raise RuntimeError("not written yet")


def mismatched_forward(x):
    return x @ np.ones((x.shape[1] + 1, 2)), x
'''


@pytest.fixture
def my_layers(tmp_path):
    path = tmp_path / "my_layers.py"
    path.write_text(MY_LAYERS)
    return path


def gradcheck(*args):
    from click.testing import CliRunner

    from nettrainer.cli import cli

    return CliRunner().invoke(cli, ["gradcheck", *map(str, args)])


def test_cli_layer_pass(my_layers):
    result = gradcheck("--layer", f"{my_layers}:affine_forward:affine_backward",
                       "--shape", "4,5", "--shape", "5,3", "--shape", "3")
    assert result.exit_code == 0, result.output
    assert "affine_backward  dw" in result.output and "FAIL" not in result.output
    assert result.output.rstrip().endswith("3 passed, 0 failed")


def test_cli_layer_fail_prints_the_hint(my_layers):
    result = gradcheck("--layer", f"{my_layers}:relu_forward:relu_backward", "--shape", "4,5")
    assert result.exit_code == 1
    assert "FAIL" in result.output
    assert "hint: nonzero where the numeric gradient is zero" in result.output
    assert "0 passed, 1 failed" in result.output


@pytest.mark.parametrize("seed", ["0", "3"])
def test_cli_a_relu_masked_by_dout_fails_whatever_the_seed(tmp_path, seed):
    """The command line's inputs come from default_rng(seed): dout must not equal them."""
    (tmp_path / "mine.py").write_text("from broken_layers import relu_backward_mask_of_dout\n"
                                      "from nettrainer.layers import relu_forward\n")
    (tmp_path / "broken_layers.py").write_text(Path(broken.__file__).read_text())
    result = gradcheck("--layer", f"{tmp_path / 'mine.py'}:relu_forward:"
                       "relu_backward_mask_of_dout", "--shape", "4,5", "--seed", seed)
    assert result.exit_code == 1, result.output
    assert "0 passed, 1 failed" in result.output


def test_inputs_drawn_from_the_check_seed_do_not_hide_a_wrong_mask():
    x = np.random.default_rng(0).standard_normal((4, 5))  # a learner's natural choice
    check = only_failure(check_layer(layers.relu_forward, broken.relu_backward_mask_of_dout,
                                     [x], seed=0))
    assert check.rel_error > 100 * check.threshold


def test_cli_layer_file_may_import_its_siblings(tmp_path):
    (tmp_path / "layer_utils.py").write_text("from nettrainer.layers import *  # noqa\n")
    (tmp_path / "mine.py").write_text("from layer_utils import relu_forward, relu_backward\n")
    result = gradcheck("--layer", f"{tmp_path / 'mine.py'}:relu_forward:relu_backward",
                       "--shape", "3,4")
    assert result.exit_code == 0, result.output


@pytest.fixture
def cs231n_package(tmp_path, monkeypatch):
    """CS231n's layout: a package whose layer_utils imports its sibling relatively."""
    package = tmp_path / "assignment" / "cs231n_nt_test"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "layers.py").write_text("from nettrainer.layers import *  # noqa\n")
    (package / "layer_utils.py").write_text(
        "from .layers import *  # noqa\n\n\n"
        "def affine_relu_forward(x, w, b):\n"
        "    a, fc_cache = affine_forward(x, w, b)\n"
        "    out, relu_cache = relu_forward(a)\n"
        "    return out, (fc_cache, relu_cache)\n\n\n"
        "def affine_relu_backward(dout, cache):\n"
        "    fc_cache, relu_cache = cache\n"
        "    return affine_backward(relu_backward(dout, relu_cache), fc_cache)\n")
    monkeypatch.chdir(package.parent)
    yield package
    for name in [m for m in sys.modules if m.startswith(package.name)]:
        del sys.modules[name]


@pytest.mark.parametrize("where", ["cs231n_nt_test/layer_utils.py", "cs231n_nt_test.layer_utils"])
def test_cli_layer_in_a_package_with_relative_imports(cs231n_package, where):
    shapes = ("--shape", "4,5", "--shape", "5,3", "--shape", "3")
    result = gradcheck("--layer", f"{where}:affine_relu_forward:affine_relu_backward", *shapes)
    assert result.exit_code == 0, result.output
    assert "3 passed, 0 failed" in result.output


@pytest.mark.parametrize("where", ["cs231n_nt_test/classifiers/mine.py",
                                   "cs231n_nt_test.classifiers.mine"])
def test_cli_layer_in_a_subpackage_imports_from_its_parent_package(cs231n_package, where):
    """As CS231n's classifiers/ files do: ``from ..layer_utils import *``."""
    (cs231n_package / "classifiers").mkdir()
    (cs231n_package / "classifiers" / "__init__.py").write_text("")
    (cs231n_package / "classifiers" / "mine.py").write_text("from ..layer_utils import *  # noqa\n")
    shapes = ("--shape", "4,5", "--shape", "5,3", "--shape", "3")
    result = gradcheck("--layer", f"{where}:affine_relu_forward:affine_relu_backward", *shapes)
    assert result.exit_code == 0, result.output
    assert "3 passed, 0 failed" in result.output


@pytest.mark.parametrize(("text", "message"), [
    ("import nonexistent_pkg_nt\n", "importing cs231n_nt_test/bad.py failed: ModuleNotFoundError: "
     "No module named 'nonexistent_pkg_nt' (bad.py line 1); install 'nonexistent_pkg_nt' or fix "
     "the import"),
    ("def f(:\n", "importing cs231n_nt_test/bad.py failed: SyntaxError: invalid syntax (bad.py "
     "line 1)"),
])
@pytest.mark.parametrize("form", ["cs231n_nt_test/bad.py", "cs231n_nt_test.bad"])
def test_cli_a_file_that_cannot_be_imported_names_its_own_line(cs231n_package, text, message,
                                                               form):
    (cs231n_package / "bad.py").write_text(text)
    result = gradcheck("--loss", f"{form}:f")
    assert result.output == f"error: --loss: {message.replace('cs231n_nt_test/bad.py', form)}\n"


def test_cli_a_folder_is_named_as_such(cs231n_package):
    result = gradcheck("--layer", "cs231n_nt_test/:f:b", "--shape", "3")
    assert result.output == ("error: --layer: cs231n_nt_test/ is a folder; give the .py file in "
                             "it that defines the functions (or an importable module)\n")


def test_cli_loss_pass_and_fail(my_layers):
    ok = gradcheck("--loss", "nettrainer.layers:softmax_loss", "--shape", "6,3")
    assert ok.exit_code == 0, ok.output
    bad = gradcheck("--loss", f"{my_layers}:softmax_loss")
    assert bad.exit_code == 1
    assert "off by a factor of N=5: a missing or extra 1/N" in bad.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--layer", "{}:affine_forward:affine_backwards", "--shape", "4,5"],
         "has no function 'affine_backwards'; it defines: affine_backward, affine_forward"),
        (["--layer", "nope/none.py:f:b", "--shape", "4"], "no such file: nope/none.py"),
        (["--layer", "{}:affine_forward:affine_backward", "--shape", "4x5"], "--shape must be"),
        (["--layer", "{}:affine_forward:affine_backward", "--shape", "4,5"], "takes 3 input(s)"),
        (["--layer", "{}:affine_forward:affine_backward"], "give one --shape per input"),
        (["--shape", "4,5"], "give exactly one of --layer"),
        (["--layer", "{}:exploding_forward:relu_backward", "--shape", "3"],
         "RuntimeError: not written yet (my_layers.py line"),
        (["--layer", "{}:mismatched_forward:relu_backward", "--shape", "3,4"],
         "ValueError: matmul: Input operand 1 has a mismatch"),
    ],
)
def test_cli_bad_spec_is_one_line_exit_2(my_layers, args, message):
    result = gradcheck(*(a.format(my_layers) for a in args))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1


def test_cli_a_file_that_is_not_python_or_a_forward_without_cache_is_one_line(tmp_path):
    config = tmp_path / "spiral.yaml"
    config.write_text("name: spiral\n")
    result = gradcheck("--loss", f"{config}:softmax_loss")
    assert result.exit_code == 2, result.output
    assert result.output == (f"error: --loss: {config} is not a Python file; give the .py file "
                             "that defines the functions (or an importable module)\n")
    mine = tmp_path / "mine.py"
    mine.write_text("def double(x):\n    return 2 * x\n\n"
                    "def double_backward(dout, cache):\n    return 2 * dout\n\n"
                    "def loss_only(x, y):\n    return 1.0\n")
    result = gradcheck("--loss", f"{mine}:loss_only")
    assert result.output == ("error: loss_only must return (loss, dx), as CS231n's losses do; "
                             "it returned one float\n")
    result = gradcheck("--layer", f"{mine}:double:double_backward", "--shape", "3")
    assert result.exit_code == 2, result.output
    assert result.output == ("error: double must return (out, cache), as CS231n's layers do; "
                             "it returned one ndarray\n")


def test_cli_a_non_python_file_in_the_working_folder_is_named_as_such(tmp_path, monkeypatch):
    (tmp_path / "s.yaml").write_text("name: spiral\n")
    monkeypatch.chdir(tmp_path)
    result = gradcheck("--loss", "s.yaml:f")
    assert result.output == ("error: --loss: s.yaml is not a Python file; give the .py file "
                             "that defines the functions (or an importable module)\n")


def _scaled(backward, factor):
    def scaled_backward(dout, cache):
        return tuple(grad * factor for grad in backward(dout, cache))

    return scaled_backward


def test_correct_layers_pass_at_the_sizes_learners_check(seed=0):
    # Without the error floor, the tiny entries of these correct gradients (1e-4 of the
    # largest) failed on round-off alone: rel errors up to 2.5e-6 against 1e-7.
    rng = np.random.default_rng(seed)
    affine = [rng.standard_normal((50, 200)), rng.standard_normal((200, 50)),
              rng.standard_normal(50)]
    assert all(c.passed for c in check_layer(layers.affine_forward, layers.affine_backward,
                                             affine, seed=seed))
    scores, labels = rng.standard_normal((500, 10)), rng.integers(0, 10, size=500)
    (check,) = check_loss(layers.softmax_loss, scores, labels)
    assert check.passed, check


def test_the_error_floor_still_fails_a_gradient_off_by_a_thousandth():
    rng = np.random.default_rng(0)
    affine = [rng.standard_normal((50, 200)), rng.standard_normal((200, 50)),
              rng.standard_normal(50)]
    checks = check_layer(layers.affine_forward, _scaled(layers.affine_backward, 1.001), affine)
    assert [c.passed for c in checks] == [False, False, False]
    assert "constant factor 1.001" in checks[0].hint
    scores, labels = rng.standard_normal((500, 10)), rng.integers(0, 10, size=500)

    def softmax_loss_off(x, y):
        loss, dx = layers.softmax_loss(x, y)
        return loss, dx * 1.001

    (check,) = check_loss(softmax_loss_off, scores, labels)
    assert not check.passed
    assert check.rel_error > 100 * check.threshold


def test_large_inputs_are_checked_on_a_sample_and_the_worst_entry_is_named_in_place(monkeypatch):
    import nettrainer.layercheck as layercheck

    counted = []
    original = layercheck.eval_numerical_gradient_array_at

    def counting(f, x, df, entries, h=1e-5):
        counted.append(len(entries))
        return original(f, x, df, entries, h)

    monkeypatch.setattr(layercheck, "eval_numerical_gradient_array_at", counting)
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((50, 40)), rng.standard_normal((40, 30)), rng.standard_normal(30)
    checks = check_layer(layers.affine_forward, _scaled(layers.affine_backward, 1.001), [x, w, b])
    assert counted == [layercheck.MAX_LAYER_ENTRIES, layercheck.MAX_LAYER_ENTRIES, 30]
    dx_check = checks[0]
    assert not dx_check.passed
    _, cache = layers.affine_forward(x, w, b)
    dout = np.random.default_rng([0, layercheck.UPSTREAM_STREAM]).standard_normal((50, 30))
    true_dx = layers.affine_backward(dout, cache)[0]
    assert dx_check.analytic == pytest.approx(1.001 * true_dx[dx_check.worst_index], rel=1e-12)


def test_a_forward_that_changes_its_input_in_place_fails_with_that_hint():
    x = np.random.default_rng(3).standard_normal((4, 5))
    before = x.copy()
    (check,) = check_layer(broken.relu_forward_in_place, layers.relu_backward, {"x": x})
    assert not check.passed and check.rel_error == float("inf")
    assert check.hint.startswith("relu_forward_in_place changed its input x in place")
    assert "np.maximum(x, 0)" in check.hint
    assert np.array_equal(x, before)  # the caller's array is never handed over


def test_a_loss_that_changes_its_scores_in_place_fails_with_that_hint():
    (check,) = check_loss(broken.softmax_loss_shifting_in_place, *scores_labels())
    assert not check.passed
    assert check.hint.startswith("softmax_loss_shifting_in_place changed its input x in place")


def test_a_summed_loss_names_the_loss_as_well_as_dx():
    (check,) = check_loss(broken.softmax_loss_summed, *scores_labels(n=8))
    assert "so an extra 1/N in dx; or the loss is summed over the N examples" in check.hint
    assert "divide the loss by N" in check.hint


def test_a_loss_of_one_value_per_example_is_a_convention_error():
    with pytest.raises(ConventionError) as error:
        check_loss(broken.softmax_loss_per_example, *scores_labels(n=4))
    assert str(error.value) == (
        "softmax_loss_per_example must return the loss as one number (the mean over the N "
        "examples), as CS231n's losses do; it returned an array of shape (4,) (take its mean)")


def test_a_factor_2_in_an_affine_layer_is_no_l2_hint():
    checks = check_layer(layers.affine_forward, broken.affine_backward_doubled, affine_inputs())
    assert [c.passed for c in checks] == [False] * 3
    for check in checks:
        assert check.hint == "off by a factor of 2: a constant factor 2 is missing or extra"


def test_a_gradient_returned_as_none_says_so():
    check = only_failure(check_layer(layers.affine_forward, broken.affine_backward_no_db,
                                     affine_inputs()))
    assert check.parameter == "db"
    assert check.hint == ("no gradient: affine_backward_no_db returned None for db; return an "
                          "array of its input's shape (4,)")


def test_a_layer_computing_in_float32_is_told_so():
    checks = check_layer(broken.affine_forward_float32, broken.affine_backward_float32,
                         affine_inputs())
    failed = [c for c in checks if not c.passed]
    assert failed
    for check in failed:
        assert check.hint.startswith("your code returned float32 arrays: the check runs in "
                                     "float64, and float32 round-off (about 1e-07")


CAST_BACK = ("your code computes in float32 (its float64 results hold float32 values): the check "
             "runs in float64, and float32 round-off (about 1e-07 of each value) alone fails it; "
             "compute in the inputs' dtype (no .astype to a narrower float)")


def test_a_layer_computing_in_float32_and_returning_float64_is_told_so():
    checks = check_layer(broken.affine_forward_float32_cast_back,
                         broken.affine_backward_float32_cast_back, affine_inputs())
    failed = [c for c in checks if not c.passed]
    assert failed
    assert all(check.hint == CAST_BACK for check in failed), failed


def test_a_loss_computing_in_float32_and_returning_float64_is_told_so():
    (check,) = check_loss(broken.softmax_loss_float32_cast_back, *scores_labels(n=8))
    assert not check.passed and check.hint == CAST_BACK


def test_a_gradient_of_simple_constants_is_no_sign_of_float32():
    check = only_failure(check_layer(layers.affine_forward, broken.affine_backward_db_of_ones,
                                     affine_inputs()))
    assert check.parameter == "db" and "float32" not in (check.hint or ""), check.hint
