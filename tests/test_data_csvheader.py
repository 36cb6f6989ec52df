"""The first line of a csv file: a header or data, the label column it names, the test file's."""

import numpy as np
import pytest

from nettrainer.data.csvfile import read_csv, read_table
from nettrainer.errors import DataError


def table_error(tmp_path, lines, label_column=-1, header=None):
    """Write ``lines`` to d.csv and return the message, less the path, of reading it."""
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as error:
        read_table(path, label_column, header, np.dtype(np.float64))
    assert str(error.value).startswith(f"{path}: ")
    return str(error.value).removeprefix(f"{path}: ")


PANDAS_FIX = (
    "as pandas writes its index column; name the column, or save the DataFrame with "
    "to_csv(index=False)"
)


@pytest.mark.parametrize(("lines", "header", "column", "fix"), [
    ([",a,b,label", "0,1.5,2,1", "1,3,4,0"], None, 1, PANDAS_FIX),
    (["# from pandas", ",a,b,label", "0,1.5,2,1", "1,3,4,0"], True, 1, PANDAS_FIX),
    (["a,,label", "1.5,2,1", "3,4,0"], None, 2, "name the column"),
    (["a,label,", "1.5,2,", "3,4,"], None, 3,
     "as a trailing comma leaves it; delete the comma, or name the column"),
])
def test_a_header_with_an_unnamed_column_such_as_a_pandas_index_is_refused(
    tmp_path, lines, header, column, fix
):
    assert table_error(tmp_path, lines, 1 if column == 3 else -1, header) == (
        f"column {column} of the header (line {len(lines) - 2}) has no name; {fix}"
    )


def test_a_column_name_with_data_header_false_says_a_name_needs_a_header(tmp_path):
    assert table_error(tmp_path, ["a,b,species", "1,2,x"], "species", False) == (
        "data.label_column is a column name, 'species', but data.header is false and "
        "only a header names columns; set data.header to true (or leave it unset to detect the "
        "header), or set data.label_column to a column index"
    )


# the test file's header: data.path's, or none -----------------------------------------------


def read_pair(tmp_path, train_lines, test_lines, label_column=-1, header=None):
    """Write train.csv and test.csv and read them as data.path and data.test_path."""
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    train.write_text("\n".join(train_lines) + "\n")
    test.write_text("\n".join(test_lines) + "\n")
    return read_csv(train, test, label_column, header, np.dtype(np.float64))


@pytest.mark.parametrize(("test_header", "difference"), [
    ("b,a,label", "column 1 ('b' here, 'a' in data.path)"),
    ("a,b,species", "column 3 ('species' here, 'label' in data.path)"),
    ("a,label", "column 2 ('label' here, 'b' in data.path)"),
    ("a,b,label,c", "column 4 ('c' here, no column in data.path)"),
])
def test_a_test_file_with_other_column_names_is_refused(tmp_path, test_header, difference):
    with pytest.raises(DataError) as error:
        read_pair(tmp_path, ["a,b,label", "1,2,0", "3,4,1"], [test_header, "2,1,0", "4,3,1"])
    assert str(error.value) == (
        f"{tmp_path / 'test.csv'}: data.test_path's header differs from data.path's at "
        f"{difference}; give it data.path's columns, in the same order"
    )


@pytest.mark.parametrize("header", [None, True])
def test_data_header_is_for_data_path_and_a_test_file_of_numbers_keeps_line_1(tmp_path, header):
    data = read_pair(tmp_path, ["a,b,label", "1,2,0", "3,4,1"], ["5,6,1", "7,8,0"], header=header)
    np.testing.assert_array_equal(data.X_test, [[5, 6], [7, 8]])
    assert data.row_lines["test"](0) == 1


def test_a_test_file_with_the_training_header_skips_it_and_finds_the_label_by_name(tmp_path):
    train = ["a,species,b", "1,setosa,2", "3,virginica,4"]
    data = read_pair(tmp_path, train, train, label_column="species")
    np.testing.assert_array_equal(data.y_test, [0, 1])
    data = read_pair(tmp_path, train, ["5,virginica,6"], label_column="species")  # no header
    np.testing.assert_array_equal(data.X_test, [[5, 6]])
    np.testing.assert_array_equal(data.y_test, [1])


def test_a_numeric_header_needs_the_same_line_in_the_test_file(tmp_path):
    train = ["0,1,2", "1.5,2,0", "3,4,1"]
    data = read_pair(tmp_path, train, ["0,1,2", "5,6,1"], header=True)
    np.testing.assert_array_equal(data.X_test, [[5, 6]])
    with pytest.raises(DataError) as error:
        read_pair(tmp_path, train, ["5,6,1", "7,8,0"], header=True)
    assert str(error.value) == (
        f"{tmp_path / 'test.csv'}: line 1 of data.test_path cannot be told from a header: "
        "data.path's header (0, 1, 2) is numbers too; start data.test_path with that line"
    )


def test_a_first_test_row_with_an_unknown_class_is_data_not_a_header(tmp_path):
    with pytest.raises(DataError, match=r"test\.csv: the label 'rose' at line 1 is not a class"):
        read_pair(tmp_path, ["5,6,setosa", "7,8,virginica"], ["1,2,rose", "3,4,setosa"])


# a byte order mark, as Excel's "CSV UTF-8" starts a file with --------------------------------

BOM = "\ufeff"


def read_bom_pair(tmp_path, train_lines, test_lines, label_column=-1, header=None):
    """Write train.csv and test.csv in UTF-8 starting with a byte order mark, and read them."""
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    train.write_bytes((BOM + "\n".join(train_lines) + "\n").encode())
    test.write_bytes((BOM + "\n".join(test_lines) + "\n").encode())
    return read_csv(train, test, label_column, header, np.dtype(np.float64))


@pytest.mark.parametrize("header", [None, False])
def test_a_byte_order_mark_is_ignored_before_a_first_row_of_numbers(tmp_path, header):
    data = read_bom_pair(tmp_path, ["1,2,0", "3,4,1", "5,6,1"], ["7,8,1", "9,10,0"],
                         header=header)
    np.testing.assert_array_equal(data.X_train, [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(data.X_test, [[7, 8], [9, 10]])
    assert data.row_lines["train"](0) == 1 and data.row_lines["test"](1) == 2


def test_a_byte_order_mark_is_no_part_of_the_first_column_name(tmp_path):
    lines = ["label,a,b", "0,1,2", "1,3,4"]
    data = read_bom_pair(tmp_path, lines, lines, label_column="label")
    np.testing.assert_array_equal(data.y_train, [0, 1])
    np.testing.assert_array_equal(data.X_test, [[1, 2], [3, 4]])


# empty and comment lines before the first row, skipped as numpy.loadtxt skips them ----------


@pytest.mark.parametrize("before", [["# iris data"], [""], ["", "# a", "#", ""]])
def test_the_first_row_comes_after_leading_empty_and_comment_lines(tmp_path, before):
    path = tmp_path / "d.csv"
    path.write_text("\n".join([*before, "1,2,0", "2,3,1", "3,1,2", "4,5,1"]) + "\n")
    features, labels, _, header, _, _ = read_table(path, -1, None, np.dtype(np.float64))
    assert header is None
    np.testing.assert_array_equal(labels, [0, 1, 2, 1])
    np.testing.assert_array_equal(features[0], [1, 2])


def test_a_header_after_a_comment_is_a_header_and_lines_still_count(tmp_path):
    lines = ["# iris", "", "a,species,b", "1,setosa,2", "# note", "3,virginica,4"]
    test_lines = ["# held out", "a,species,b", "5,virginica,6", "7,x,8"]
    with pytest.raises(DataError) as error:
        read_pair(tmp_path, lines, test_lines, label_column="species")
    assert str(error.value).startswith(
        f"{tmp_path / 'test.csv'}: the label 'x' at line 4 is not a class of the training file"
    )
    data = read_pair(tmp_path, lines, test_lines[:3], label_column="species")
    np.testing.assert_array_equal(data.y_train, [0, 1])
    np.testing.assert_array_equal(data.y_test, [1])
    assert data.row_lines["train"](1) == 6 and data.row_lines["test"](0) == 3


def test_a_numeric_header_after_a_comment_is_skipped_and_named_by_its_line(tmp_path):
    train = ["# numbers", "0,1,2", "1.5,2,0", "3,4,1"]
    data = read_pair(tmp_path, train, ["", "0,1,2", "5,6,1"], header=True)
    np.testing.assert_array_equal(data.X_train, [[1.5, 2], [3, 4]])
    np.testing.assert_array_equal(data.X_test, [[5, 6]])
    with pytest.raises(DataError, match=r"line 2 of data\.test_path cannot be told from a hea"):
        read_pair(tmp_path, train, ["# x", "5,6,1", "7,8,0"], header=True)


def test_data_header_false_names_the_line_of_the_first_row(tmp_path):
    message = table_error(tmp_path, ["# iris", "a,b,y", "1,2,0"], header=False)
    assert "at line 2, column 1; data.header is false, so line 2 " in message


def test_a_file_of_comments_only_is_empty(tmp_path):
    message = table_error(tmp_path, ["# nothing yet", ""])
    assert message.startswith("the csv file is empty; it needs one example")


def test_a_label_column_name_the_header_gives_twice_is_refused(tmp_path):
    assert table_error(tmp_path, ["a,label,label", "1,2,0", "3,4,1"], "label") == (
        "the header names 2 columns 'label' (columns 2, 3); rename all but the label "
        "column, or set data.label_column to its index"
    )
