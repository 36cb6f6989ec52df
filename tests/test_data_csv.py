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
    features, labels, _, header, label_index, _ = read_table(path, -1, None, np.dtype(np.float64))
    np.testing.assert_array_equal(features, X)
    np.testing.assert_array_equal(labels, Y)
    assert labels.dtype == np.int64
    assert (header, label_index) == (None, X.shape[1])


def test_header_is_detected_and_label_column_found_by_name(tmp_path):
    path = tmp_path / "d.csv"
    rows = ["label,a,b,c", *(",".join(map(str, row)) for row in table(label_first=True))]
    path.write_text("\n".join(rows))
    features, labels, _, header, label_index, _ = read_table(
        path, "label", None, np.dtype(np.float32)
    )
    assert (header, label_index) == (("label", "a", "b", "c"), 0)
    assert features.dtype == np.float32
    np.testing.assert_array_equal(features, X.astype(np.float32))
    np.testing.assert_array_equal(labels, Y)


def test_label_column_in_the_middle(tmp_path):
    path = tmp_path / "d.csv"
    mixed = np.column_stack([X[:, :1], Y, X[:, 1:]])
    path.write_text("\n".join(",".join(map(str, row)) for row in mixed))
    features, labels, _, _, label_index, _ = read_table(path, 1, False, np.dtype(np.float64))
    assert label_index == 1
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



def test_a_missing_test_file_names_data_test_path(tmp_path):
    train = tmp_path / "train.csv"
    train.write_text("\n".join(",".join(map(str, row)) for row in table()))
    spec = Spec(name="csv", path=str(train), test_path=str(tmp_path / "nope.csv"), val_size=0)
    with pytest.raises(DataError, match=r"nope\.csv: no such file \(data\.test_path\)$"):
        load(spec, seed=0, dtype=np.float64)

def test_an_npz_file_named_as_csv_says_which_setting_to_change(tmp_path):
    train = tmp_path / "train.csv"
    train.write_text("\n".join(",".join(map(str, row)) for row in table()))
    np.savez(tmp_path / "d.npz", X_train=X, y_train=Y)
    with pytest.raises(DataError) as error:
        load(Spec(name="csv", path=str(tmp_path / "d.npz")), seed=0, dtype=np.float64)
    assert str(error.value) == (
        f"{tmp_path / 'd.npz'}: an npz (zip) file, not comma-separated text; for an npz data "
        "set, set data.name: npz"
    )
    np.savez(tmp_path / "t.npz", X_test=X, y_test=Y)
    spec = Spec(name="csv", path=str(train), test_path=str(tmp_path / "t.npz"), val_size=0)
    with pytest.raises(DataError) as error:
        load(spec, seed=0, dtype=np.float64)
    assert str(error.value) == (
        f"{tmp_path / 't.npz'}: an npz (zip) file, not comma-separated text; data.test_path of "
        "csv data must be a csv file too, like data.path"
    )


def test_an_unreadable_test_file_names_data_test_path(tmp_path):
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    train.write_text("\n".join(",".join(map(str, row)) for row in table()))
    test.write_bytes(b"\xff\xfe0,1\n")
    spec = Spec(name="csv", path=str(train), test_path=str(test), val_size=0)
    with pytest.raises(DataError, match=r"test\.csv: not UTF-8 text \(invalid start byte at byte "
                       r"0; data\.test_path\); save it as UTF-8, e\.g\. a spreadsheet's "
                       r'"CSV UTF-8"$'):
        load(spec, seed=0, dtype=np.float64)


NOT_A_NUMBER_HINT = (
    "every feature must be a number (a label may be text), and only the first line may hold "
    "column names: it is a header when data.header is true, or when data.header is unset and "
    "one of its features is not a number"
)
RAGGED_HINT = "every line must have the same number of comma-separated values"


def csv_error(tmp_path, text, header=None, dtype=np.float64):
    """Write ``text`` to d.csv and return the message of the DataError reading it raises."""
    path = tmp_path / "d.csv"
    path.write_bytes(text.encode())
    with pytest.raises(DataError) as error:
        read_table(path, -1, header, np.dtype(dtype))
    return str(error.value).removeprefix(f"{path}: ")


@pytest.mark.parametrize(("row", "message"), [
    ("0.35,0.82,0.33,-1.30,", "the label at line {line} is empty; every row needs the label of "
     "one of the training file's classes"),
    (",0.82,0.33,-1.30,0", "line {line}, column 1 is empty; every feature must be a number"),
])
@pytest.mark.parametrize("line", [1, 2])
def test_an_empty_cell_is_no_header_and_an_error_on_any_line(tmp_path, row, message, line):
    rows = ["1,2,3,4,1", "5,6,7,8,0"]
    rows.insert(line - 1, row)
    assert csv_error(tmp_path, "\n".join(rows)) == message.format(line=line)


def test_forced_header_false_makes_a_text_row_an_error(tmp_path):
    assert csv_error(tmp_path, "a,b,c,y\n1,2,3,0\n", header=False) == (
        "could not convert string 'a' to float64 at line 1, column 1; data.header is false, "
        "so line 1 is read as data; set data.header to true, or leave it unset to detect a header"
    )


def test_non_numeric_cell_names_its_line_and_column(tmp_path):
    assert csv_error(tmp_path, "1,2,3,0\n1,x,3,1\n", dtype=np.float32) == (
        f"could not convert string 'x' to float32 at line 2, column 2; {NOT_A_NUMBER_HINT}"
    )


def test_non_numeric_cell_line_is_1_based_like_its_column(tmp_path):
    assert csv_error(tmp_path, "1,2,0\n1,2,1\nx,2,1\n") == (
        f"could not convert string 'x' to float64 at line 3, column 1; {NOT_A_NUMBER_HINT}"
    )


def test_non_numeric_cell_after_a_header_counts_the_header_line(tmp_path):
    assert csv_error(tmp_path, "a,b,y\n1,2,0\n1,x,1\n", header=True) == (
        f"could not convert string 'x' to float64 at line 3, column 2; {NOT_A_NUMBER_HINT}"
    )


@pytest.mark.parametrize("lines", [
    ["setosa,5.1,0.2", "versicolor,7.0,1.3", "setosa,4.9,0.2"],
    ["species,length,width", "versicolor,7.0,1.3", '"setosa",5.1,0.2'],
])
def test_a_text_column_that_is_not_the_label_column_suggests_it(tmp_path, lines):
    assert csv_error(tmp_path, "\n".join(lines)) == (
        "could not convert string 'versicolor' to float64 at line 2, column 1; every feature must "
        "be a number, and column 1 is text in every row: if column 1 holds the labels, set "
        "data.label_column: 0"
    )


def test_a_text_cell_in_a_column_of_numbers_or_empty_cells_gets_no_label_hint(tmp_path):
    assert csv_error(tmp_path, "1,2,0\n1,x,0\n2,,1\n3,,1\n").endswith(
        f"line 2, column 2; {NOT_A_NUMBER_HINT}"
    )
    assert csv_error(tmp_path, "1,x,0\n2,,1\n3,,1\n") == (  # line 1 is a header
        "line 2, column 2 is empty; every feature must be a number"
    )


def test_ragged_rows(tmp_path):
    assert csv_error(tmp_path, "1,2,3,0\n1,2,1\n") == (
        f"the number of columns changed from 4 to 3 at line 2; {RAGGED_HINT}"
    )


def test_short_row_after_a_header_names_its_line(tmp_path):
    assert csv_error(tmp_path, "a,b,y\n1,2,0\n1,2,1\n1,2\n") == (
        f"the number of columns changed from 3 to 2 at line 4; {RAGGED_HINT}"
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize(
    ("last", "place"),
    [("x,2,1", "float64 at line 7, column 1;"), ("1,2,1,3", "3 to 4 at line 7;"),
     ("1,2,1.5", "(first: 1.5 at line 7)")],
)
def test_error_lines_count_header_blank_and_comment_lines(tmp_path, newline, last, place):
    lines = ["a,b,y", "", "# a comment", "1,2,0 # trailing comment", "", "1,2,1", last]
    assert place in csv_error(tmp_path, newline.join(lines))


@pytest.mark.parametrize("label", ["1e30", "inf", "-inf", "1e400", "nan"])
def test_huge_or_infinite_labels_are_no_class_index(tmp_path, label):
    assert csv_error(tmp_path, f"1,2,0\n1,2,{label}\n3,4,1\n").startswith(
        f"label column -1 holds 1 value that is no class index (first: {float(label)} at line 2)"
    )


def test_non_integer_labels(tmp_path):
    assert csv_error(tmp_path, "1,2,0\n1,2,1.5\n") == (
        "label column -1 holds 1 value that is no class index (first: 1.5 at line 2); "
        "set data.label_column to the column of class indices or names"
    )


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b,y\n1,2,0\n\n3,nan,1\n4,5,1\n", "X_train rows contain NaN or infinite values "
         "(first at line 4)"),
        ("1,2,0\n3,4,1\n# note\n5,6,-1\n", "labels are negative (first: -1 at line 4)"),
    ],
)
def test_checks_after_parsing_name_the_file_line(tmp_path, text, expected):
    """The header, a blank line and a comment line count, as in a text editor."""
    path = tmp_path / "data.csv"
    path.write_text(text)
    with pytest.raises(DataError) as info:
        load(Spec(name="csv", path=str(path), val_size=0), seed=0, dtype=np.float64)
    assert expected in str(info.value)


# text labels: class names ------------------------------------------------------------------

IRIS = ["5.1,3.5,setosa", "7.0,3.2,versicolor", "6.3,3.3,virginica", "4.9,3.0,setosa"]


def read_text_labels(tmp_path, lines, label_column=-1, header=None, class_names=None):
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n")
    return read_table(path, label_column, header, np.dtype(np.float32), class_names)


def test_text_labels_become_sorted_class_names(tmp_path):
    features, labels, names, header, _, _ = read_text_labels(
        tmp_path, ["a,b,species", *IRIS], label_column="species"
    )
    assert names == ("setosa", "versicolor", "virginica") and header == ("a", "b", "species")
    np.testing.assert_array_equal(labels, [0, 1, 2, 0])
    assert labels.dtype == np.int64 and features.dtype == np.float32
    np.testing.assert_array_equal(features, np.float32([[5.1, 3.5], [7.0, 3.2], [6.3, 3.3],
                                                         [4.9, 3.0]]))


def test_a_file_without_header_keeps_its_first_row_when_its_text_label_recurs(tmp_path):
    features, labels, names, header, _, _ = read_text_labels(tmp_path, IRIS)
    assert header is None and len(labels) == 4 and labels[0] == 0
    np.testing.assert_array_equal(features[0], np.float32([5.1, 3.5]))
    assert names == ("setosa", "versicolor", "virginica")


def test_a_first_row_whose_only_text_is_a_label_found_nowhere_else_is_a_header(tmp_path):
    _, labels, names, header, _, _ = read_text_labels(tmp_path, ["1,2,species", *IRIS])
    assert header == ("1", "2", "species") and len(labels) == 4 and "species" not in names


def test_a_text_label_in_the_middle_quoted_and_spaced(tmp_path):
    features, labels, names, _, _, _ = read_text_labels(
        tmp_path, ['1.0, "cat" ,2.0', "3.0,dog,4.0", '5.0,"cat",6.0'], label_column=1
    )
    assert names == ("cat", "dog")
    np.testing.assert_array_equal(labels, [0, 1, 0])
    np.testing.assert_array_equal(features, np.float32([[1, 2], [3, 4], [5, 6]]))


def test_a_test_file_uses_the_training_class_numbers_and_keeps_its_first_row(tmp_path):
    names = ("setosa", "versicolor", "virginica")
    _, labels, got, header, _, _ = read_text_labels(
        tmp_path, ["1,2,virginica", "3,4,setosa"], class_names=names
    )
    assert got == names and header is None
    np.testing.assert_array_equal(labels, [2, 0])


@pytest.mark.parametrize(
    ("lines", "class_names", "message"),
    [
        (["1,2,setosa", "3,4,rose"], ("setosa", "virginica"),
         "the label 'rose' at line 2 is not a class of the training file (setosa, virginica); "
         "every row needs the label of one of the training file's classes"),
        (["1,2,setosa", "3,4,"], None,
         "the label at line 2 is empty; every row needs the label of one of the training "
         "file's classes"),
        (["1,2,0", "3,4,cat"], (),
         "the label 'cat' at line 2 is text, but the training file's labels are numbers; "
         "use one kind of label in both files"),
        (["1,2,0", "3,4,1", "# 5,6,2", "7,8,", "9,10,cat"], (),
         "the label at line 4 is empty; every row needs the label of one of the training file's "
         "classes"),
        (["1,2,0", "3,4,1", "5,6,2", "7,8,setosa"], None,
         "the label '0' at line 1 is a number, but 'setosa' at line 4 is text; use one kind of "
         "label in a file: class indices or class names"),
        (["1,2,setosa", "3,4,setosa", '5,6,"1"'], None,
         "the label '1' at line 3 is a number, but 'setosa' at line 1 is text; use one kind of "
         "label in a file: class indices or class names"),
        (["a,b,kind", "1,2,cat", "3,4", "5,6,dog"], None,
         f"the number of columns changed from 3 to 2 at line 3; {RAGGED_HINT}"),
        (["a,b,kind", "1,2,cat", "3,x,dog"], None,
         f"could not convert string 'x' to float32 at line 3, column 2; {NOT_A_NUMBER_HINT}"),
    ],
)
def test_text_label_errors_name_the_line(tmp_path, lines, class_names, message):
    with pytest.raises(DataError) as error:
        read_text_labels(tmp_path, lines, class_names=class_names)
    assert str(error.value) == f"{tmp_path / 'd.csv'}: {message}"


def test_load_names_the_classes_of_a_text_labelled_data_set_and_its_test_file(tmp_path):
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    train.write_text("\n".join(IRIS * 5) + "\n")
    test.write_text("1.0,2.0,virginica\n3.0,4.0,setosa\n")
    spec = Spec(name="csv", path=str(train), test_path=str(test), val_size=5)
    data = load(spec, seed=0, dtype=np.float64)
    assert data.class_names == ("setosa", "versicolor", "virginica")
    assert data.X_train.shape == (15, 2) and data.X_val.shape == (5, 2)
    np.testing.assert_array_equal(data.y_test, [2, 0])


# quoted fields -----------------------------------------------------------------------------


def test_a_quoted_text_label_keeps_its_comma(tmp_path):
    features, labels, names, header, _, _ = read_text_labels(tmp_path, [
        '"sepal, cm",width,species', '5.1,3.5,"iris, setosa"', '7.0,3.2,"iris, versicolor"',
        '4.9,3.0,"iris, setosa"',
    ], label_column="species")
    assert names == ("iris, setosa", "iris, versicolor")
    assert header == ("sepal, cm", "width", "species")
    np.testing.assert_array_equal(labels, [0, 1, 0])
    np.testing.assert_array_equal(features, np.float32([[5.1, 3.5], [7.0, 3.2], [4.9, 3.0]]))


@pytest.mark.parametrize("quoted", [
    ['"a","b","label"', '"0.852","1.5","2"', '"-3","4e2","0"', '"5","6","1"'],  # QUOTE_ALL
    ['"a","b","label"', '0.852,1.5,2', '-3,4e2,0', '5,6,1'],  # QUOTE_NONNUMERIC
])
def test_quoted_numbers_are_numbers_as_pandas_writes_them(tmp_path, quoted):
    features, labels, names, header, _, _ = read_text_labels(tmp_path, quoted)
    assert names is None and header == ("a", "b", "label")
    np.testing.assert_array_equal(labels, [2, 0, 1])
    np.testing.assert_array_equal(features, np.float32([[0.852, 1.5], [-3, 400], [5, 6]]))


def test_quoted_whole_number_labels_are_class_indices_not_names(tmp_path):
    lines = [f'{i / 10},"{i}"' for i in range(12)]
    _, labels, names, _, _, _ = read_text_labels(tmp_path, lines)
    assert names is None
    np.testing.assert_array_equal(labels, np.arange(12))  # not 0, 1, 10, 11, 2, ... as text


QUOTE_FIX = 'a quote inside a quoted field is written ""'


def test_a_quoted_field_spanning_lines_is_refused_naming_where_it_opens_and_closes(tmp_path):
    assert csv_error(tmp_path, '1,2,"c"\n# "x\n3,4,"a\nb"\n5,x,"c"\n') == (
        "the quoted field opened at line 3 is closed only at line 4; a label or feature is one "
        f"line: close its quote on line 3 ({QUOTE_FIX})"
    )


@pytest.mark.parametrize("header", [None, True])
def test_an_unclosed_quote_is_refused_not_read_to_the_end_of_the_file(tmp_path, header):
    rows = [f"{i},{i + 3},{'xy'[i % 2]}" for i in range(100)]
    rows[20] = '10,13,"y'
    assert csv_error(tmp_path, "\n".join(["a,b,label", *rows]), header=header) == (
        f"an unclosed double quote at line 22; close the quoted field on that line ({QUOTE_FIX})"
    )
    assert csv_error(tmp_path, 'a,b,label\n1,2,x\n3,4,"y # z\n') == (  # no comment in quotes
        f"an unclosed double quote at line 3; close the quoted field on that line ({QUOTE_FIX})"
    )


@pytest.mark.parametrize(("text", "message"), [
    ('1,"2,5",0\n3,4,1\n"5","6,7",1,8\n',
     f"the number of columns changed from 3 to 4 at line 3; {RAGGED_HINT}"),
    ('1,2,"c#1"\n3,4,"c, #2"\n# "a comment, with "" quotes\n5,"""6","c#1"\n',
     f"could not convert string '\"6' to float64 at line 4, column 2; {NOT_A_NUMBER_HINT}"),
])
def test_commas_and_comment_signs_in_quotes_keep_columns_and_lines(tmp_path, text, message):
    assert csv_error(tmp_path, text) == message


def test_the_first_row_is_split_as_quoted_fields(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('"a, b",c,y\n1,2,0\n')
    with pytest.raises(DataError, match=r"data\.label_column = 3 but the file has 3 columns"):
        read_table(path, 3, None, np.dtype(np.float64))



@pytest.mark.parametrize(("field", "label"), [
    ('"iris ""versi"""', 'iris "versi"'), ('"""q"""', '"q"'), (' """q""" ', '"q"'),
    (' "b"" c" ', 'b" c'), ('q', 'q'), ('"q" ', 'q'), (' "q', '"q'),
])
def test_a_quoted_field_is_unquoted_once_as_pythons_csv_reads_it(tmp_path, field, label):
    lines = ["a,b,kind", '1,2,c', f"3,4,{field}", '5,6,"c"']
    _, labels, names, _, _, _ = read_text_labels(tmp_path, lines)
    assert names == tuple(sorted({"c", label})) and names[labels[1]] == label


def test_labels_q_and_quoted_q_are_two_classes_and_header_names_are_unquoted_once(tmp_path):
    lines = ['a,"""b""",y', "1,2,q", '3,4,"""q"""', "5,6,c"]
    _, labels, names, header, _, _ = read_text_labels(tmp_path, lines, label_column="y")
    assert header == ("a", '"b"', "y") and names == ('"q"', "c", "q")
    np.testing.assert_array_equal(labels, [2, 0, 1])


@pytest.mark.parametrize(
    ("blank", "before"),
    [("   ", ""), ("\t", ""), ("  # a comment after spaces", " before its comment")],
)
def test_a_line_of_spaces_is_named_not_called_a_change_of_columns(tmp_path, blank, before):
    assert csv_error(tmp_path, f"1,2,0\n{blank}\n3,4,1\n") == (
        f"line 2 holds only spaces or tabs{before}; delete them: only an empty line, or one "
        "whose first character starts a comment, is skipped"
    )


@pytest.mark.parametrize(("separator", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_file_separated_by_semicolons_or_tabs_says_to_use_commas(tmp_path, separator, name):
    text = "\n".join(separator.join(row) for row in [["# x"], ["a", "b", "y"], ["1", "2", "0"]])
    assert csv_error(tmp_path, text) == (
        f"line 2 is one field, {separator.join('aby')!r}, separated by {name}; the values must be "
        "comma-separated: save the file as csv with commas"
    )


@pytest.mark.parametrize("name", ["csv", "npz"])
def test_with_both_files_missing_the_data_file_is_named_first(tmp_path, name):
    spec = Spec(name=name, path=str(tmp_path / f"d.{name}"), test_path=str(tmp_path / "t.csv"))
    with pytest.raises(DataError) as error:
        load(spec, seed=0, dtype=np.float64)
    assert str(error.value).startswith(f"{tmp_path / f'd.{name}'}: no such file (data.path)")


def test_an_error_about_the_first_row_of_a_csv_without_header_suggests_one(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("5,6,7\n1.0,2.0,0\n3,4,1\n1.5,2.5,0\n3.5,4.5,1\n")  # a header of numbers
    with pytest.raises(DataError) as error:
        load(Spec(name="csv", path=str(path)), seed=0, dtype=np.float64)
    assert "(y_train at line 1)" in str(error.value)
    assert str(error.value).endswith(
        "; or, if line 1 is a header (of numbers, which cannot be told from data), "
        "set data.header: true"
    )
    path.write_text("1.0,2.0,0\n3,4,1\n1.5,2.5,0\n3.5,4.5,9\n")  # the stray label is on line 4
    with pytest.raises(DataError) as error:
        load(Spec(name="csv", path=str(path)), seed=0, dtype=np.float64)
    assert "(y_train at line 4)" in str(error.value)
    assert "header" not in str(error.value)


def test_a_label_column_name_missing_from_a_file_without_header_says_it_has_none(tmp_path):
    with pytest.raises(DataError) as error:
        read_text_labels(tmp_path, IRIS, label_column="species")
    assert "no column named 'species' (it has no header row)" in str(error.value)
    with pytest.raises(DataError) as error:
        read_text_labels(tmp_path, ["a,b,label", "1,2,0", "3,4,1"], label_column="lable")
    assert "no column named 'lable' (its header has a, b, label)" in str(error.value)


def test_a_fractional_label_on_the_first_row_of_a_csv_without_header_suggests_one(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("10,20,30,1.5\n1,2,3,0\n4,5,6,1\n7,8,9,2\n")
    with pytest.raises(DataError) as error:
        load(Spec(name="csv", path=str(path)), seed=0, dtype=np.float64)
    assert "holds 1 value that is no class index (first: 1.5 at line 1)" in str(error.value)
    assert str(error.value).endswith("if line 1 is a header (of numbers, which cannot be told "
                                     "from data), set data.header: true")


@pytest.mark.parametrize(("header", "column", "named"), [
    ("count,x,label\n", "count", " ('count')"),
    ("", 0, ""),
])
def test_labels_from_a_feature_column_suggest_another_label_column(tmp_path, header, column,
                                                                   named):
    """Counts in column 0 read as labels leave classes without examples: name the column."""
    rows = "".join(f"{10 * (i % 7)},{i / 7:.3f},{i % 3}\n" for i in range(1, 43))
    (tmp_path / "d.csv").write_text(header + rows)
    spec = Spec(name="csv", path=str(tmp_path / "d.csv"), label_column=column)
    with pytest.raises(DataError) as error:
        load(spec, seed=0, dtype=np.float64)
    message = str(error.value)
    assert "classes that the largest label, 60" in message, message
    assert message.endswith(f"; or, if column 0{named} holds no labels, set data.label_column "
                            "to the column that does")


def test_a_comment_after_the_header_is_not_part_of_the_last_column_name(tmp_path):
    """'#' starts a comment on every line, the header's included (outside quotes)."""
    (tmp_path / "d.csv").write_text('x1,"a#b",y   # the header\n'
                                    + "".join(f"{i},{i / 2},{i % 2}\n" for i in range(8)))
    data = load(Spec(name="csv", path=str(tmp_path / "d.csv"), label_column="y", val_size=0),
                seed=0, dtype=np.float64)
    assert data.X_train.shape == (8, 2) and sorted(data.y_train.tolist()) == [0] * 4 + [1] * 4
