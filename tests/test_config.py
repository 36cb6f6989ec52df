"""The YAML config: defaults in sync with configs/default.yaml, overrides, every error message."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml

from nettrainer import config
from nettrainer.config import Config, DataConfig, ModelConfig, PreprocessConfig, TrainConfig
from nettrainer.config_schema import OPTIMIZER_KEYS, READ_ONLY_WHEN
from nettrainer.data import DATASET_NAMES
from nettrainer.errors import ConfigError
from nettrainer.optim import UPDATE_RULES

NAME_DOMAIN = ("name must be a folder name of ASCII letters, digits, '_', '-' and '.' "
               "('-' and '.' not first) or null")
QUOTE_IT = (" (YAML reads yes, no, on, off and bare numbers as booleans and numbers; "
            "quote the value to keep it text)")

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
DEFAULT_YAML = CONFIGS / "default.yaml"
TOP_KEYS = "name, seed, data, model, train, output"
DID_YOU_MEAN_LR = "did you mean train.learning_rate?"
UNCLOSED = "expected ',' or ']', but got '<stream end>'"
NOT_ALLOWED = "special characters are not allowed"
TRAIN_KEYS = (
    "optimizer, learning_rate, momentum, decay_rate, beta1, beta2, epsilon, lr_decay, "
    "batch_size, epochs, sampling, early_stopping_patience, num_train_samples, num_val_samples"
)


def leaves(mapping, prefix=""):
    """Dotted keys of the leaves of a nested mapping, in order."""
    keys = []
    for name, value in mapping.items():
        if isinstance(value, dict):
            keys += leaves(value, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


def field_leaves(cls, prefix=""):
    """Dotted keys of the leaf fields of a config dataclass, in schema order."""
    keys = []
    for field in dataclasses.fields(cls):
        if dataclasses.is_dataclass(field.default_factory):
            keys += field_leaves(field.default_factory, f"{prefix}{field.name}.")
        else:
            keys.append(f"{prefix}{field.name}")
    return keys


def write(tmp_path, text, name="x.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path, overrides=()):
    with pytest.raises(ConfigError) as info:
        config.load(path, overrides)
    message = str(info.value)
    assert "\n" not in message
    return message


# defaults and the shipped configs -----------------------------------------------------------


def test_default_yaml_loads_to_the_dataclass_defaults():
    assert config.load(DEFAULT_YAML) == dataclasses.replace(Config(), name="spiral")
    raw = yaml.safe_load(DEFAULT_YAML.read_text(encoding="utf-8"))
    assert config.from_dict(raw, "default.yaml") == Config()


def test_a_config_without_a_name_names_its_runs_after_the_data_set(tmp_path):
    path = write(tmp_path, "data:\n  name: blobs\n")
    assert config.load(path).name == "blobs"
    assert config.load(path, ["data.name=spiral"]).name == "spiral"
    assert config.load(path, ["name=mine"]).name == "mine"
    assert config.load(write(tmp_path, "name: kept\ndata:\n  name: blobs\n")).name == "kept"
    assert Config().run_name == "spiral"
    assert dataclasses.replace(Config(), name="own").run_name == "own"


def test_default_yaml_lists_every_field_once_in_schema_order():
    raw = yaml.safe_load(DEFAULT_YAML.read_text(encoding="utf-8"))
    assert leaves(raw) == field_leaves(Config)


def test_default_yaml_comments_every_value():
    for line in DEFAULT_YAML.read_text(encoding="utf-8").splitlines():
        key, colon, value = line.partition(":")
        if colon and not key.lstrip().startswith("#") and value.strip():
            assert "#" in value, f"no comment on {line!r}"


def test_spiral_is_the_case_study_and_overrides_only_what_differs():
    cfg = config.load(CONFIGS / "spiral.yaml")
    assert (cfg.name, cfg.data.name, cfg.model.hidden_size, cfg.model.weight_scale) == (
        "spiral",
        "spiral",
        100,
        0.01,
    )
    assert (cfg.train.optimizer, cfg.train.learning_rate, cfg.train.batch_size) == ("sgd", 1.0, 30)
    raw = yaml.safe_load((CONFIGS / "spiral.yaml").read_text(encoding="utf-8"))
    default = config.to_dict(Config())
    for key in leaves(raw):
        section, name = key.split(".")
        assert raw[section][name] != default[section][name], f"{key} repeats its default"


def test_a_null_section_takes_its_defaults(tmp_path):
    assert config.load(write(tmp_path, "train:\nmodel: {reg: 0.5}\n")) == Config(
        name="spiral", model=ModelConfig(reg=0.5)
    )


# types and domains ----------------------------------------------------------------------------


def test_values_are_converted_to_the_annotated_types(tmp_path):
    text = "train: {learning_rate: 1, epsilon: 1e-3, lr_decay: '0.5'}\nmodel: {reg: 1.0e-4}\n"
    cfg = config.load(write(tmp_path, text))
    assert cfg.train.learning_rate == 1.0 and type(cfg.train.learning_rate) is float
    assert cfg.train.epsilon == 1e-3  # YAML 1.1 reads 1e-3 as a string
    assert cfg.train.lr_decay == 0.5
    assert cfg.model.reg == 1e-4


def test_val_size_keeps_an_int_count_and_a_float_fraction(tmp_path):
    assert config.load(write(tmp_path, "data: {val_size: 50}\n")).data.val_size == 50
    assert type(config.load(write(tmp_path, "data: {val_size: 50}\n")).data.val_size) is int
    assert config.load(write(tmp_path, "data: {val_size: 0}\n")).data.val_size == 0
    assert config.load(write(tmp_path, "data: {val_size: 0.25}\n")).data.val_size == 0.25


def test_nullable_and_union_fields(tmp_path):
    text = (
        "data: {label_column: label, header: true, max_train: 10, preprocess: {scale: 0.5}}\n"
        "train: {early_stopping_patience: 3, num_train_samples: null}\n"
    )
    cfg = config.load(write(tmp_path, text))
    assert cfg.data == DataConfig(
        label_column="label", header=True, max_train=10, preprocess=PreprocessConfig(scale=0.5)
    )
    assert (cfg.train.early_stopping_patience, cfg.train.num_train_samples) == (3, None)


def test_every_registered_name_is_accepted(tmp_path):
    for name in UPDATE_RULES:
        assert config.load(DEFAULT_YAML, [f"train.optimizer={name}"]).train.optimizer == name
    for name in DATASET_NAMES:
        assert config.load(DEFAULT_YAML, [f"data.name={name}"]).data.name == name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("train: {learning_rate: -0.1}", "train.learning_rate must be a number > 0; got -0.1"),
        (
            "train: {learning_rate: .inf}",
            "train.learning_rate must be a number > 0; got inf (not a finite number)",
        ),
        (
            "train: {learning_rate: .nan}",
            "train.learning_rate must be a number > 0; got nan (not a finite number)",
        ),
        (
            "train: {learning_rate: '1e999'}",
            "train.learning_rate must be a number > 0; got '1e999' (not a finite number)",
        ),
        ("train: {learning_rate: fast}", "train.learning_rate must be a number > 0; got 'fast'"),
        ("train: {learning_rate: true}", "train.learning_rate must be a number > 0; got true"),
        ("train: {batch_size: true}", "train.batch_size must be an integer >= 1; got true"),
        ("train: {batch_size: 0}", "train.batch_size must be an integer >= 1; got 0"),
        ("train: {epochs: 10.0}", "train.epochs must be an integer >= 1; got 10.0"),
        ("train: {epochs: '10'}", "train.epochs must be an integer >= 1; got '10'"),
        ("train: {epochs: null}", "train.epochs must be an integer >= 1; got null"),
        ("train: {lr_decay: 0}", "train.lr_decay must be a number in (0, 1]; got 0"),
        ("train: {lr_decay: 1.5}", "train.lr_decay must be a number in (0, 1]; got 1.5"),
        ("train: {momentum: 1}", "train.momentum must be a number in [0, 1); got 1"),
        ("train: {beta2: -0.1}", "train.beta2 must be a number in [0, 1); got -0.1"),
        ("train: {epsilon: 0}", "train.epsilon must be a number > 0; got 0"),
        (
            "train: {early_stopping_patience: 0}",
            "train.early_stopping_patience must be an integer >= 1 or null; got 0",
        ),
        (
            "train: {num_train_samples: [1]}",
            "train.num_train_samples must be an integer >= 1 or null; got [1]",
        ),
        (
            "train: {optimizer: sgdd}",
            "train.optimizer must be one of sgd, sgd_momentum, rmsprop, adam; got 'sgdd'",
        ),
        (
            "train: {sampling: 3}",
            "train.sampling must be one of shuffle, replacement; got 3",
        ),
        ("model: {dtype: float16}", "model.dtype must be one of float32, float64; got 'float16'"),
        ("model: {reg: -1}", "model.reg must be a number >= 0; got -1"),
        ("model: {hidden_size: 0}", "model.hidden_size must be an integer >= 1; got 0"),
        ("model: {weight_scale: 0}", "model.weight_scale must be a number > 0; got 0"),
        (
            "data: {name: imagenet}",
            "data.name must be one of spiral, blobs, fashion-mnist, mnist, cifar10, npz, csv; "
            "got 'imagenet'",
        ),
        (
            "data: {val_size: 1.0}",
            "data.val_size must be a fraction in (0, 1) or an integer count >= 0; got 1.0",
        ),
        (
            "data: {val_size: -3}",
            "data.val_size must be a fraction in (0, 1) or an integer count >= 0; got -3",
        ),
        ("data: {num_classes: 1}", "data.num_classes must be an integer >= 2; got 1"),
        ("data: {max_train: 0}", "data.max_train must be an integer >= 1 or null; got 0"),
        ("data: {path: ''}", "data.path must be a non-empty path or null; got ''"),
        (
            "data: {label_column: 1.5}",
            "data.label_column must be a column index or a non-empty column name; got 1.5",
        ),
        (
            "data: {header: 'yes'}",
            "data.header must be a boolean (true or false) or null; got 'yes'",
        ),
        (
            "data: {preprocess: {scale: 1/255}}",
            "data.preprocess.scale must be a number > 0 or null; got '1/255'",
        ),
        (
            "data: {preprocess: {subtract_mean: 1}}",
            "data.preprocess.subtract_mean must be a boolean (true or false); got 1",
        ),
        (
            "data: {preprocess: {std_epsilon: -0.04}}",
            "data.preprocess.std_epsilon must be a number >= 0; got -0.04",
        ),
        ("name: my run", f"{NAME_DOMAIN}; got 'my run'"),
        ("name: ..", f"{NAME_DOMAIN}; got '..'"),
        ("name: -rf", f"{NAME_DOMAIN}; got '-rf'"),
        ("name: .hidden", f"{NAME_DOMAIN}; got '.hidden'"),
        ("seed: -1", "seed must be an integer >= 0; got -1"),
        ("output: {dir: 7}", f"output.dir must be a non-empty path; got 7{QUOTE_IT}"),
        ("name: yes", f"{NAME_DOMAIN}; got true{QUOTE_IT}"),
        ("train: {epochs: 1e3}", "train.epochs must be an integer >= 1; got '1e3' "
         "(YAML reads 1e3 as text; write the integer out: 1000)"),
        ("train: {batch_size: 2.5e1}", "train.batch_size must be an integer >= 1; got '2.5e1' "
         "(YAML reads 2.5e1 as text; write the integer out: 25)"),
        ("train: 5", "train must be a mapping of keys to values; got 5"),
        ("data: {preprocess: [1]}", "data.preprocess must be a mapping of keys to values; got [1]"),
    ],
)
def test_bad_values_name_the_file_key_domain_and_value(tmp_path, text, expected):
    path = write(tmp_path, text + "\n")
    assert load_error(path) == f"{path}: {expected}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("train: {learning_rte: 0.1}", f"unknown key train.learning_rte; {DID_YOU_MEAN_LR}"),
        ("model: {learning_rate: 0.1}", f"unknown key model.learning_rate; {DID_YOU_MEAN_LR}"),
        ("trian: {epochs: 3}", "unknown key trian; did you mean train?"),
        ("data: {scale: 3}", "unknown key data.scale; did you mean data.preprocess.scale?"),
        ("foo: 1", f"unknown key foo; valid keys are {TOP_KEYS}"),
        ("train: {foo: 1}", f"unknown key train.foo; valid keys under train are {TRAIN_KEYS}"),
    ],
)
def test_unknown_keys_suggest_the_closest(tmp_path, text, expected):
    path = write(tmp_path, text + "\n")
    assert load_error(path) == f"{path}: {expected}"


def test_long_values_are_shortened_in_messages(tmp_path):
    path = write(tmp_path, f"name: {'a b' * 40}\n")
    assert load_error(path).endswith("; got " + repr("a b" * 40)[:57] + "...")


# files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty; expected a mapping of keys to values"),
        ("# only comments\n", "the file is empty; expected a mapping of keys to values"),
        ("- 1\n- 2\n", "the top level must be a mapping of keys to values; got [1, 2]"),
        ("spiral\n", "the top level must be a mapping of keys to values; got 'spiral'"),
        ("train:\n  lr: [1\n", f"invalid YAML at line 3, column 1: {UNCLOSED}"),
        ("a: b: c\n", "invalid YAML at line 1, column 5: mapping values are not allowed here"),
        ("x: \x00\n", f"invalid YAML: unacceptable character #x0000: {NOT_ALLOWED}"),
        (
            "train:\n  learning_rate: 0.1\n  epochs: 3\n  learning_rate: 0.5\n",
            "invalid YAML at line 4, column 3: duplicate key 'learning_rate' (first at line 2); "
            "keep one of them",
        ),
        (
            "seed: 1\ntrain: {}\nseed: 2\n",
            "invalid YAML at line 3, column 1: duplicate key 'seed' (first at line 1); "
            "keep one of them",
        ),
        (
            "train: {epochs: 1, epochs: 2}\n",
            "invalid YAML at line 1, column 20: duplicate key 'epochs' (first at line 1); "
            "keep one of them",
        ),
        ("train:\n  ? [1, 2]\n  : 3\n", "invalid YAML at line 2, column 5: found unhashable key"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path, text, expected):
    path = write(tmp_path, text)
    assert load_error(path) == f"{path}: {expected}"


def test_missing_unreadable_and_binary_files(tmp_path):
    assert load_error(tmp_path / "nope.yaml") == (
        f"{tmp_path / 'nope.yaml'}: no such file; "
        "check the path (configs/ holds the example configs)"
    )
    assert load_error(tmp_path) == (
        f"{tmp_path}: a folder, not a config file; pass a YAML file such as configs/spiral.yaml")
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    assert load_error(binary) == f"{binary}: cannot read the file: it is not UTF-8 text"
    too_long = tmp_path / ("a" * 300 + ".yaml")
    assert load_error(too_long) == f"{too_long}: cannot read the file: File name too long"


@pytest.mark.parametrize(("name", "fix"), [
    ("d.npz", "train on it with: nettrainer train configs/default.yaml --set data.name=npz "
              "--set data.path={path}"),
    ("d.CSV", "train on it with: nettrainer train configs/default.yaml --set data.name=csv "
              "--set data.path={path}"),
    ("t10k-labels-idx1-ubyte.gz", "set a config's data.path to the folder holding it "
                                  "(unpacked, for an archive)"),
])
def test_a_data_file_given_as_the_config_says_how_to_train_on_it(tmp_path, name, fix):
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04")
    assert load_error(path) == f"{path}: a data file, not a config file; {fix.format(path=path)}"


def test_a_top_level_versions_mapping_is_ignored(tmp_path):
    path = write(tmp_path, "versions: {numpy: 2.0.0}\nseed: 3\n")
    assert config.load(path) == Config(name="spiral", seed=3)
    assert config.from_dict({"versions": {}, "seed": 3}, "run/config.yaml") == Config(seed=3)


def test_from_dict_rejects_a_non_mapping():
    with pytest.raises(ConfigError) as info:
        config.from_dict([1], "run/config.yaml")
    assert (
        str(info.value)
        == "run/config.yaml: the top level must be a mapping of keys to values; got [1]"
    )


# overrides ------------------------------------------------------------------------------------


def test_overrides_are_parsed_as_yaml_and_applied_in_order():
    cfg = config.load(
        DEFAULT_YAML,
        [
            "train.learning_rate=0.5",
            "train.epsilon=1e-6",
            "train.early_stopping_patience=5",
            "data.path=null",
            "train={epochs: 7, beta1: 0.5}",
            "train.epochs=8",
            "data.preprocess.subtract_mean=true",
            "name=fashion-mnist_2",
        ],
    )
    assert cfg.train == TrainConfig(
        learning_rate=0.5, epsilon=1e-6, early_stopping_patience=5, epochs=8, beta1=0.5
    )
    assert cfg.data.preprocess.subtract_mean is True
    assert cfg.name == "fashion-mnist_2"


def test_an_empty_override_value_is_null():
    cfg = config.load(DEFAULT_YAML, ["train.num_train_samples="])
    assert cfg.train.num_train_samples is None


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("train.learning_rate", "expected KEY=VALUE, such as --set train.learning_rate=0.5"),
        ("=0.5", "expected KEY=VALUE, such as --set train.learning_rate=0.5"),
        ("train.learning_rte=0.5", f"unknown key train.learning_rte; {DID_YOU_MEAN_LR}"),
        ("train.lr=0.5", f"unknown key train.lr; valid keys under train are {TRAIN_KEYS}"),
        ("versions.numpy=1", f"unknown key versions; valid keys are {TOP_KEYS}"),
        ("train.learning_rate=-1", "train.learning_rate must be a number > 0; got -1"),
        ("train.batch_size=1.5", "train.batch_size must be an integer >= 1; got 1.5"),
        ("train.batch_size=yes", "train.batch_size must be an integer >= 1; got true"),
        ("train.learning_rate=[1", f"invalid YAML at line 1, column 3: {UNCLOSED}"),
        ("train=3", "train must be a mapping of keys to values; got 3"),
    ],
)
def test_bad_overrides_name_the_override(item, expected):
    assert load_error(DEFAULT_YAML, [item]) == f"--set {item}: {expected}"


@pytest.mark.parametrize(
    ("item", "section", "example"),
    [
        ("data.preprocess={}", "data.preprocess", "data.preprocess.scale"),
        ("train= {}", "train", "train.optimizer"),
        ("data={preprocess: {}}", "data.preprocess", "data.preprocess.scale"),
    ],
)
def test_an_empty_mapping_for_a_section_is_refused_rather_than_merging_nothing(
        item, section, example):
    assert load_error(DEFAULT_YAML, [item]) == (
        f"--set {item}: an empty mapping changes nothing, because --set merges a mapping "
        f"into the section {section}; set the keys to change, such as --set {example}=VALUE"
    )


@pytest.mark.parametrize(
    ("item", "section", "example"),
    [
        ("train=null", "train", "train.optimizer"),
        ("data.preprocess=", "data.preprocess", "data.preprocess.scale"),
        ("data={val_size: 5, preprocess: ~}", "data.preprocess", "data.preprocess.scale"),
    ],
)
def test_a_null_section_is_refused_rather_than_resetting_it_silently(item, section, example):
    assert load_error(DEFAULT_YAML, [item]) == (
        f"--set {item}: null would reset every key to its default in the section {section}; "
        f"set the keys to change, such as --set {example}=VALUE"
    )


def test_an_empty_mapping_for_a_leaf_or_unknown_key_gets_the_usual_message():
    assert load_error(DEFAULT_YAML, ["train.epochs={}"]) == (
        "--set train.epochs={}: train.epochs must be an integer >= 1; got {}"
    )
    assert load_error(DEFAULT_YAML, ["trian={}"]).startswith("--set trian={}: unknown key trian")


def test_override_messages_stay_on_one_line():
    message = load_error(DEFAULT_YAML, ["name=a\nb"])
    assert message == f"--set name=a\\nb: {NAME_DOMAIN}; got 'a b'"


def test_apply_and_replace_leave_the_original_unchanged():
    cfg = Config()
    assert config.apply(cfg, ["seed=4"]) == Config(seed=4)
    assert config.replace(cfg, "output.dir", "elsewhere").output.dir == "elsewhere"
    assert cfg == Config()
    with pytest.raises(ConfigError) as info:
        config.replace(cfg, "output.dir", "", source="--out")
    assert str(info.value) == "--out: output.dir must be a non-empty path; got ''"


def test_differences_lists_changed_leaves_in_schema_order():
    changed = config.apply(Config(), ["train.epochs=5", "data.preprocess.scale=0.5", "seed=1"])
    assert config.differences(Config(), changed) == [
        "seed",
        "data.preprocess.scale",
        "train.epochs",
    ]
    assert config.differences(changed, changed) == []


# immutability and round trips -----------------------------------------------------------------


def test_configs_are_frozen():
    cfg = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.train.learning_rate = 0.5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.seed = 1  # type: ignore[misc]


def test_dump_round_trips_through_load(tmp_path):
    cfg = config.load(
        DEFAULT_YAML,
        ["train.epsilon=1e-12", "data.val_size=20", "data.label_column=y", "data.header=false"],
    )
    text = config.dump(cfg, versions={"numpy": "2.0.0"})
    assert list(yaml.safe_load(text)) == [
        "name",
        "seed",
        "data",
        "model",
        "train",
        "output",
        "versions",
    ]
    assert config.load(write(tmp_path, text)) == cfg
    assert config.from_dict(config.to_dict(cfg), "memory") == cfg


def test_dump_writes_keys_in_schema_order():
    assert leaves(yaml.safe_load(config.dump(Config()))) == field_leaves(Config)


# keys the config sets but never reads --------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["train.optimizer=adam", "train.momentum=0.95"],
         "train.momentum is 0.95, but train.optimizer is adam; it is read only when "
         "train.optimizer is sgd_momentum"),
        (["train.optimizer=sgd_momentum", "train.epsilon=1e-6"],
         "train.epsilon is 1e-06, but train.optimizer is sgd_momentum; it is read only when "
         "train.optimizer is rmsprop or adam"),
        (["train.decay_rate=0.9"],
         "train.decay_rate is 0.9, but train.optimizer is sgd; it is read only when "
         "train.optimizer is rmsprop"),
        (["train.optimizer=rmsprop", "train.beta2=0.99"],
         "train.beta2 is 0.99, but train.optimizer is rmsprop; it is read only when "
         "train.optimizer is adam"),
        (["data.name=mnist", "data.num_classes=10"],
         "data.num_classes is 10, but data.name is mnist; it is read only when data.name is "
         "spiral or blobs"),
        (["data.name=npz", "data.label_column=label"],
         "data.label_column is label, but data.name is npz; it is read only when data.name is "
         "csv"),
        (["data.header=false"],
         "data.header is false, but data.name is spiral; it is read only when data.name is csv"),
        (["data.preprocess.std_epsilon=0.04"],
         "data.preprocess.std_epsilon is 0.04, but data.preprocess.standardize is false; it is "
         "read only when data.preprocess.standardize is true"),
    ],
)
def test_a_key_the_run_will_not_read_is_named_with_what_reads_it(overrides, expected):
    assert config.unread_settings(config.load(DEFAULT_YAML, overrides)) == [expected]


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["train.optimizer=adam"],  # momentum keeps its default: a copied default.yaml is quiet
        ["train.optimizer=sgd_momentum", "train.momentum=0.5"],
        ["train.optimizer=adam", "train.epsilon=1e-6", "train.beta1=0.8"],
        ["data.name=blobs", "data.num_classes=5", "data.points_per_class=7"],
        ["data.name=csv", "data.header=true", "data.label_column=0"],
        ["data.preprocess.standardize=true", "data.preprocess.std_epsilon=0.04"],
    ],
)
def test_keys_left_at_their_defaults_or_read_give_no_line(overrides):
    assert config.unread_settings(config.load(DEFAULT_YAML, overrides)) == []


def test_the_shipped_configs_set_no_key_they_do_not_read():
    for path in CONFIGS.glob("*.yaml"):
        assert config.unread_settings(config.load(path)) == [], path


def test_the_keys_read_only_sometimes_are_config_keys_and_their_readers_valid_values():
    assert set(OPTIMIZER_KEYS) == set(UPDATE_RULES)
    train_keys = {field.name for field in dataclasses.fields(TrainConfig)}
    for rule, keys in OPTIMIZER_KEYS.items():  # the train keys among the rule's own defaults
        read = set(UPDATE_RULES[rule](np.zeros(1), np.zeros(1), {})[1]) & train_keys
        assert read == set(keys), rule
    every_key = field_leaves(Config)
    for key, (deciding_key, readers) in READ_ONLY_WHEN.items():
        assert key in every_key and deciding_key in every_key
        for value in readers:
            config.replace(Config(), deciding_key, value)  # a valid value, or ConfigError
