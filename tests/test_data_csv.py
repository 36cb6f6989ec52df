"""csv data sets: label column by index or name, header detection, test file, malformed cells."""

import numpy as np
import pytest
from data_fixtures import Spec

from nettrainer.data import load
from nettrainer.data.csvfile import read_table
from nettrainer.errors import DataError

X = np.array([[0.5, 1.0, 2.0], [1.5, -1.0, 0.25], [3.0, 2.0, 1.0], [0.0, 0.0, 7.5]])
Y = np.array([0, 1, 2, 1])


def table(label_first=False):
    return np.column_stack([Y, X]) if label_first else np.column_stack([X, Y])


def test_label_in_the_last_column_by_default_without_header(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("\n".join(",".join(map(str, row)) for row in table()) + "\n")
    features, labels = read_table(path, -1, None, np.dtype(np.float64))
    np.testing.assert_array_equal(features, X)
    np.testing.assert_array_equal(labels, Y)
    assert labels.dtype == np.int64


def test_header_is_detected_and_label_column_found_by_name(tmp_path):
    path = tmp_path / "d.csv"
    rows = ["label,a,b,c", *(",".join(map(str, row)) for row in table(label_first=True))]
    path.write_text("\n".join(rows))
    features, labels = read_table(path, "label", None, np.dtype(np.float32))
    assert features.dtype == np.float32
    np.testing.assert_array_equal(features, X.astype(np.float32))
    np.testing.assert_array_equal(labels, Y)


def test_label_column_in_the_middle(tmp_path):
    path = tmp_path / "d.csv"
    mixed = np.column_stack([X[:, :1], Y, X[:, 1:]])
    path.write_text("\n".join(",".join(map(str, row)) for row in mixed))
    features, labels = read_table(path, 1, False, np.dtype(np.float64))
    np.testing.assert_array_equal(features, X)
    np.testing.assert_array_equal(labels, Y)


def test_load_with_a_test_file(tmp_path):
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    body = "\n".join(",".join(map(str, row)) for row in table())
    train.write_text("a,b,c,y\n" + body + "\n" + body)
    test.write_text(body)
    spec = Spec(name="csv", path=str(train), test_path=str(test), val_size=0)
    data = load(spec, seed=0, dtype=np.float64)
    assert data.X_train.shape == (8, 3) and data.X_test.shape == (4, 3)
    assert data.class_names == ("0", "1", "2")
    np.testing.assert_array_equal(data.y_test, Y)


def test_forced_header_false_makes_a_text_row_an_error(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,c,y\n1,2,3,0\n")
    with pytest.raises(
        DataError,
        match=r"d\.csv: could not convert string 'a' to float64 at row 0",
    ):
        read_table(path, -1, False, np.dtype(np.float64))


def test_non_numeric_cell_names_file_and_row(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("1,2,3,0\n1,x,3,1\n")
    with pytest.raises(
        DataError,
        match=r"d\.csv: could not convert string 'x' to float32 at row 1",
    ):
        read_table(path, -1, None, np.dtype(np.float32))


def test_ragged_rows(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("1,2,3,0\n1,2,1\n")
    with pytest.raises(
        DataError,
        match=r"d\.csv: the number of columns changed from 4 to 3 at row 2",
    ):
        read_table(path, -1, None, np.dtype(np.float64))


def test_non_integer_labels(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("1,2,0\n1,2,1.5\n")
    with pytest.raises(
        DataError,
        match=r"label column -1 holds 1 non-integer values \(first: 1\.5 in data row 1\)",
    ):
        read_table(path, -1, None, np.dtype(np.float64))


def test_unknown_label_column_name_lists_the_header(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n1,2,0\n")
    with pytest.raises(DataError, match=r"no column named 'label' \(its header has a, b, y\)"):
        read_table(path, "label", None, np.dtype(np.float64))


def test_label_column_index_out_of_range(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("1,2,0\n1,2,1\n")
    with pytest.raises(DataError, match=r"data\.label_column = 5 but the file has 3 columns"):
        read_table(path, 5, None, np.dtype(np.float64))


def test_empty_file_and_header_only(tmp_path):
    empty, header_only = tmp_path / "e.csv", tmp_path / "h.csv"
    empty.write_text("")
    header_only.write_text("a,b,y\n")
    with pytest.raises(DataError, match=r"e\.csv: the csv file is empty"):
        read_table(empty, -1, None, np.dtype(np.float64))
    with pytest.raises(DataError, match=r"h\.csv: no data rows after the header"):
        read_table(header_only, -1, None, np.dtype(np.float64))


def test_nan_cells_are_caught_by_the_checks(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("1,2,0\nnan,2,1\n3,4,1\n")
    with pytest.raises(DataError, match=r"d\.csv: 1 of 3 X_train rows contain NaN"):
        load(Spec(name="csv", path=str(path)), seed=0, dtype=np.float64)
