"""load_csv: a user's own table, and every error it explains."""

import numpy as np
import pytest

from glassnet.data import DataLoader, load_csv


def write(tmp_path, text, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_numeric_target_is_regression(tmp_path):
    path = write(tmp_path, "area,rooms,price\n50,2,180\n120, 4 ,370.5\n\n80,3,260\n")
    ds = load_csv(path, target="price")
    x, y = ds.tensors
    assert x.dtype == np.float32 and x.tolist() == [[50, 2], [120, 4], [80, 3]]
    assert (
        y.shape == (3, 1)
        and y.dtype == np.float32
        and y.numpy()[:, 0].tolist() == [180, 370.5, 260]
    )
    assert ds.task == "regression" and ds.classes is None
    assert ds.feature_names == ["area", "rooms"] and ds.target_name == "price"
    assert ds.name == "data"


def test_string_target_becomes_class_indices(tmp_path):
    path = write(
        tmp_path, "len,width,species\n1,2,setosa\n3,4,virginica\n5,6,setosa\n7,8,versicolor\n"
    )
    ds = load_csv(path, target="species")
    y = ds.targets
    assert ds.task == "classification" and ds.classes == ["setosa", "versicolor", "virginica"]
    assert y.dtype == np.int64 and y.shape == (4,) and y.tolist() == [0, 2, 0, 1]
    xb, yb = next(iter(DataLoader(ds, batch_size=4)))
    assert yb.tolist() == [0, 2, 0, 1] and xb.shape == (4, 2)


def test_numeric_classes_sort_by_value(tmp_path):
    path = write(tmp_path, "a,label\n0.5,10\n1.5,2\n2.5,2.0\n3.5,1\n")
    ds = load_csv(path, target="label", task="classification")
    assert ds.classes == ["1", "2", "10"] and ds.targets.tolist() == [2, 1, 1, 0]


def test_features_delimiter_bom_and_quotes(tmp_path):
    path = write(tmp_path, 'id;"x, cm";y;target\n1;"2.5";3;a\n2;4;5;b\n', encoding="utf-8-sig")
    ds = load_csv(path, target="target", features=["y", "x, cm"], delimiter=";")
    assert ds.feature_names == ["y", "x, cm"] and ds.features.tolist() == [[3, 2.5], [5, 4]]
    assert load_csv(path, target="target", features="y", delimiter=";").features.shape == (2, 1)


def test_missing_columns_are_named_with_the_file(tmp_path):
    path = write(tmp_path, "area,rooms,price\n1,2,3\n")
    with pytest.raises(
        ValueError,
        match=r"load_csv: .*data\.csv: no column named 'cost' \(the "
        r"target\); the columns are: area, rooms, price",
    ):
        load_csv(path, target="cost")
    with pytest.raises(
        ValueError,
        match=r"data\.csv: no column named 'size' \(a feature\); the "
        r"columns are: area, rooms, price",
    ):
        load_csv(path, target="price", features=["area", "size"])
    with pytest.raises(ValueError, match="column 'price' is the target; it cannot be a feature"):
        load_csv(path, target="price", features=["area", "price"])
    with pytest.raises(TypeError, match="target must be a column name"):
        load_csv(path, target=2)


def test_non_numeric_feature_names_line_column_and_value(tmp_path):
    path = write(tmp_path, "area,rooms,price\n50,2,180\n\n60,two,200\n")
    with pytest.raises(
        ValueError,
        match=r"data\.csv: line 4, column 'rooms': expected a finite "
        r"number, got 'two'",
    ):
        load_csv(path, target="price")


def test_empty_and_infinite_values(tmp_path):
    path = write(tmp_path, "a,b,y\n1,,3\n")
    with pytest.raises(
        ValueError, match="line 2, column 'b': expected a finite number, got an empty value"
    ):
        load_csv(path, target="y")
    path = write(tmp_path, "a,y\ninf,3\n", name="inf.csv")
    with pytest.raises(ValueError, match=r"inf\.csv: line 2, column 'a': .*got 'inf'"):
        load_csv(path, target="y")


def test_target_mixing_numbers_and_text(tmp_path):
    path = write(tmp_path, "a,price\n1,100\n2,n/a\n3,300\n")
    with pytest.raises(
        ValueError,
        match=r"target column 'price' holds numbers and text \(line 3: "
        r"'n/a'\).*task='classification'",
    ):
        load_csv(path, target="price")
    with pytest.raises(ValueError, match="line 3, column 'price': expected a finite number"):
        load_csv(path, target="price", task="regression")
    assert load_csv(path, target="price", task="classification").classes == ["100", "300", "n/a"]
    path = write(tmp_path, "a,kind\n1,x\n2,\n", name="gap.csv")
    with pytest.raises(ValueError, match="line 3, column 'kind': empty target value"):
        load_csv(path, target="kind")


def test_empty_file_header_only_and_ragged_rows(tmp_path):
    with pytest.raises(ValueError, match=r"empty\.csv: the file is empty; expected a header row"):
        load_csv(write(tmp_path, "", name="empty.csv"), target="y")
    with pytest.raises(ValueError, match=r"blank\.csv: the file is empty"):
        load_csv(write(tmp_path, "\n\n  \n", name="blank.csv"), target="y")
    with pytest.raises(ValueError, match=r"head\.csv: the file has a header but no data rows"):
        load_csv(write(tmp_path, "a,y\n", name="head.csv"), target="y")
    path = write(tmp_path, "a,b,y\n1,2,3\n4,5\n", name="ragged.csv")
    with pytest.raises(
        ValueError,
        match=r"ragged\.csv: line 3 has 2 values but the header has 3 "
        r"columns \(a, b, y\)",
    ):
        load_csv(path, target="y")


def test_bad_header_file_and_task(tmp_path):
    with pytest.raises(ValueError, match="the header names column 'a' twice"):
        load_csv(write(tmp_path, "a,a,y\n1,2,3\n"), target="y")
    with pytest.raises(ValueError, match="column 2 of the header row has no name"):
        load_csv(write(tmp_path, "a,,y\n1,2,3\n"), target="y")
    with pytest.raises(ValueError, match="no feature columns"):
        load_csv(write(tmp_path, "y\n1\n"), target="y")
    with pytest.raises(FileNotFoundError, match=r"load_csv: .*missing\.csv: no such file"):
        load_csv(tmp_path / "missing.csv", target="y")
    with pytest.raises(ValueError, match="task must be 'classification', 'regression' or None"):
        load_csv(write(tmp_path, "a,y\n1,2\n"), target="y", task="clustering")
    (tmp_path / "latin1.csv").write_bytes("a,y\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1\.csv: not UTF-8 text"):
        load_csv(tmp_path / "latin1.csv", target="y")


def test_integer_targets_with_few_values_are_classes_as_type_of_target(tmp_path):
    """0/1 labels are classes (they used to be trained as a regression); integers
    that rarely repeat (prices) stay numbers; task= still decides when given."""
    from glassnet.data.csvfile import load_csv, looks_like_classes

    path = tmp_path / "t.csv"
    path.write_text("a,y\n" + "\n".join(f"{i},{i % 2}" for i in range(30)) + "\n")
    ds = load_csv(path, target="y")
    assert ds.task == "classification" and ds.classes == ["0", "1"]
    assert load_csv(path, target="y", task="regression").task == "regression"
    assert not looks_like_classes([float(v) for v in range(200, 260)])
    assert not looks_like_classes([0.0, 0.5, 1.0])
    assert looks_like_classes([1.0, 2.0, 3.0, 1.0, 2.0, 3.0])
