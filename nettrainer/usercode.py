"""Load a learner's own layer or loss named on the command line and check it.

``nettrainer gradcheck --layer PATH_OR_MODULE:FORWARD:BACKWARD --shape ...`` and
``--loss PATH_OR_MODULE:FUNCTION`` come here: the spec is imported (a ``.py``
file or a module), random float64 inputs are built from the shapes, and
:func:`~nettrainer.layercheck.check_layer` or
:func:`~nettrainer.layercheck.check_loss` does the comparison. Every problem
with the spec, or an exception in the learner's code, is a one-line
:class:`~nettrainer.errors.ConfigError`.
"""

import importlib
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from nettrainer.errors import ConfigError
from nettrainer.layercheck import ConventionError, LayerCheck, check_layer, check_loss


def load_functions(spec: str, count: int, option: str) -> list[Callable]:
    """Import the functions of a ``PATH_OR_MODULE:NAME[:NAME...]`` spec.

    Parameters
    ----------
    spec : str
        A ``.py`` file path or an importable module, then ``count`` function names.
    count : int
        How many names the spec must give.
    option : str
        The command-line option, for error messages (``"--layer"``).

    Returns
    -------
    functions : list of callable

    Raises
    ------
    ConfigError
        When the spec is malformed, the file or module is missing or fails to
        import, or a name is not a function in it.
    """
    parts = spec.rsplit(":", count)
    if len(parts) != count + 1 or not all(parts):
        form = "PATH_OR_MODULE:" + ("FUNCTION" if count == 1 else "FORWARD:BACKWARD")
        raise ConfigError(f"{option} must be {form}; got {spec!r}")
    where, names = parts[0], parts[1:]
    module = _import(where, option)
    functions = []
    for name in names:
        function = getattr(module, name, None)
        if not callable(function):
            defined = sorted(k for k, v in vars(module).items()
                             if inspect.isfunction(v) and not k.startswith("_"))
            raise ConfigError(f"{option}: {where} has no function {name!r}; "
                              f"it defines: {', '.join(defined) or 'no functions'}")
        functions.append(function)
    return functions


def _import(where: str, option: str) -> object:
    """Import a ``.py`` file or a module, as ``python -m`` would from the current folder.

    A file inside a package (a folder with ``__init__.py``, like CS231n's
    ``cs231n/layer_utils.py``) is imported as its module, so its relative
    imports (``from .layers import *``) work; any other file beside its
    sibling files.
    """
    is_file = where.endswith(".py") or "/" in where or "\\" in where or Path(where).is_file()
    try:
        if not is_file:
            with _on_path(Path.cwd()):
                return importlib.import_module(where)
        path = Path(where)
        if path.is_dir():
            raise ConfigError(f"{option}: {where} is a folder; give the .py file in it that "
                              "defines the functions (or an importable module)")
        if not path.is_file():
            raise ConfigError(f"{option}: no such file: {where}")
        root, name = _module_of(path.resolve())
        if name is not None:
            with _on_path(root):
                return importlib.import_module(name)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None:  # not a suffix Python imports: a .yaml, a .txt
            raise ConfigError(f"{option}: {where} is not a Python file; give the .py file "
                              "that defines the functions (or an importable module)")
        module = importlib.util.module_from_spec(spec)
        with _on_path(path.resolve().parent):  # so it can import its sibling files
            spec.loader.exec_module(module)
        return module
    except ConfigError:
        raise
    except ModuleNotFoundError as error:
        if is_file or not where.startswith(str(error.name)):  # a module it imports is missing
            raise ConfigError(f"{option}: importing {where} failed: {_one_line(error)}; install "
                              f"{error.name!r} or fix the import") from error
        raise ConfigError(f"{option}: cannot import {where}: {error} "
                          "(give a .py file path or an importable module)") from error
    except Exception as error:
        raise ConfigError(f"{option}: importing {where} failed: {_one_line(error)}") from error


def _module_of(path: Path) -> tuple[Path, str | None]:
    """Return the folder above ``path``'s outermost package and its dotted module name.

    The name is None when ``path`` is in no package (its folder has no ``__init__.py``).
    """
    top = path.parent
    if path.suffix != ".py" or not (top / "__init__.py").is_file():
        return top, None
    while (top.parent / "__init__.py").is_file():
        top = top.parent
    parts = path.with_suffix("").relative_to(top.parent).parts
    return top.parent, ".".join(parts)


@contextmanager
def _on_path(folder: Path) -> Iterator[None]:
    """Put ``folder`` first on ``sys.path`` for the block."""
    entry = str(folder)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        sys.path.remove(entry)


def _one_line(error: Exception) -> str:
    """Describe the error and the innermost line of the learner's own code that raised it."""
    library = (str(Path(__file__).parent), str(Path(np.__file__).parent),
               str(Path(importlib.__file__).parent), "<frozen ")
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not f.filename.startswith(library)]
    frame = frames[-1] if frames else None
    place = f" ({Path(frame.filename).name} line {frame.lineno})" if frame else ""
    if isinstance(error, SyntaxError):  # raised where the file is compiled, not in it
        return f"SyntaxError: {error.msg} ({Path(str(error.filename)).name} line {error.lineno})"
    return f"{type(error).__name__}: {error}{place}"


def parse_shape(text: str) -> tuple[int, ...]:
    """Parse ``"4,5"`` into ``(4, 5)``; raise ConfigError unless all are integers >= 1."""
    try:
        shape = tuple(int(part) for part in text.split(","))
    except ValueError:
        shape = ()
    if not shape or min(shape) < 1:
        raise ConfigError(f"--shape must be comma-separated integers >= 1 like 4,5; got {text!r}")
    return shape


def check_user_code(layer: str | None, loss: str | None, shapes: Sequence[str],
                    seed: int = 0, h: float = 1e-5) -> list[LayerCheck]:
    """Run :func:`check_layer` or :func:`check_loss` on functions named on the command line.

    Parameters
    ----------
    layer : str or None
        ``PATH_OR_MODULE:FORWARD:BACKWARD``; each ``--shape`` gives one input's shape.
    loss : str or None
        ``PATH_OR_MODULE:FUNCTION``; one optional ``--shape N,C`` (default 5,4).
    shapes : sequence of str
        The ``--shape`` values, e.g. ``("4,5", "5,3", "3")``.
    seed : int
        Seeds the random inputs, labels and upstream gradient.
    h : float
        Finite-difference step.

    Returns
    -------
    checks : list of LayerCheck

    Raises
    ------
    ConfigError
        For a bad spec or shape, or when the learner's code raises.
    """
    if (layer is None) == (loss is None):
        raise ConfigError("give exactly one of --layer PATH:FORWARD:BACKWARD or "
                          "--loss PATH:FUNCTION (--shape needs one of them)")
    rng = np.random.default_rng(seed)
    parsed = [parse_shape(text) for text in shapes]
    if loss is not None:
        (loss_fn,) = load_functions(loss, 1, "--loss")
        if len(parsed) > 1 or (parsed and len(parsed[0]) != 2):
            raise ConfigError(f"--loss takes one --shape N,C (scores); got {', '.join(shapes)}")
        n, c = parsed[0] if parsed else (5, 4)
        x, y = rng.standard_normal((n, c)), rng.integers(0, c, size=n)
        return _guarded(loss_fn, lambda: check_loss(loss_fn, x, y, h=h))
    forward, backward = load_functions(layer, 2, "--layer")
    wanted = _positional(forward)
    if not parsed or (wanted and len(parsed) != len(wanted)):
        raise ConfigError(
            f"--layer: {forward.__name__} takes {len(wanted)} input(s) ({', '.join(wanted)}); "
            "give one --shape per input, e.g. --shape 4,5 --shape 5,3 --shape 3")
    inputs = {name: rng.standard_normal(shape) for name, shape in zip(
        wanted or [str(i) for i in range(len(parsed))], parsed, strict=True)}
    return _guarded(forward, lambda: check_layer(forward, backward, inputs, seed=seed, h=h))


def _positional(function: Callable) -> list[str]:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]


def _guarded(function: Callable, run: Callable[[], list[LayerCheck]]) -> list[LayerCheck]:
    try:
        return run()
    except ConventionError as error:
        raise ConfigError(str(error)) from error
    except Exception as error:
        raise ConfigError(f"your code raised while being checked ({function.__module__}): "
                          f"{_one_line(error)}") from error
