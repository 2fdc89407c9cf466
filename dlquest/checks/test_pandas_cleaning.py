"""Check for `pandas_cleaning`: the cleaned sales and the per-category summary against the reference.

The tables are generated from the seed, and always hold what the contract is about: rows exported twice,
sales without a discount (NaN), quantities written as text with spaces, sales of a product missing from the
products table, and a category ("garden") that was never sold. Separate small tables isolate one rule each
(duplicates only, missing discounts only, a tie in revenue), so that a mistake is named by its own test.

Frames come back as plain data: column names, dtypes, whether the index is 0..n-1, and each column's values
(numbers as float64 arrays, compared within rtol 1e-9; text as lists of strings). The summary's values come
keyed by category, so a wrong order is reported once, by the ordering test, not by every value test.
"""

import numpy as np
import pandas as pd

from dlquest.grader.checklib import expect_same

RTOL, ATOL = 1e-9, 1e-12
CLEAN_COLUMNS = ["order_id", "product_id", "quantity", "unit_price", "discount", "revenue"]
NUMERIC = ["order_id", "quantity", "unit_price", "discount", "revenue"]
SUMMARY_COLUMNS = ["orders", "units", "revenue", "mean_revenue"]
CATEGORIES = {"P01": "books", "P02": "books", "P03": "toys", "P04": "toys", "P05": "kitchen", "P06": "kitchen",
              "P07": "garden", "P08": "sports"}
SOLD = ["P01", "P02", "P03", "P04", "P05", "P06", "P08", "P42", "P99"]  # P07 never; P42 and P99 are unknown


def products_table():
    return pd.DataFrame({"product_id": list(CATEGORIES), "category": list(CATEGORIES.values())})


def sales_table(seed, n=36, duplicates=6, with_missing=True):
    """n distinct sales, then `duplicates` of them again, each inserted somewhere after its original."""
    rng = np.random.default_rng(seed)
    # Every product of SOLD at least once (the unknown ones included), whatever the seed; rows are shuffled below.
    product = SOLD + [SOLD[i] for i in rng.integers(0, len(SOLD), size=n - len(SOLD))]
    quantity = rng.integers(1, 13, size=n)
    text = [f" {q} " if rng.random() < 0.3 else str(q) for q in quantity]
    price = rng.integers(100, 5000, size=n) / 100.0
    discount = rng.choice([0.05, 0.1, 0.2, 0.25], size=n)
    if with_missing:
        discount[rng.random(size=n) < 0.35] = np.nan
        discount[3] = np.nan                                # at least one, whatever the seed
    rows = [(1000 + i, product[i], text[i], float(price[i]), float(discount[i])) for i in range(n)]
    order = rng.permutation(n)
    rows = [rows[i] for i in order]
    for pick in rng.choice(n - 1, size=duplicates, replace=False):
        rows.insert(int(rng.integers(pick + 1, len(rows) + 1)), rows[pick])
    frame = pd.DataFrame(rows, columns=["order_id", "product_id", "quantity", "unit_price", "discount"])
    return frame.astype({"order_id": "int64", "unit_price": "float64", "discount": "float64"})


def describe_frame(frame, columns):
    """A DataFrame's layout as plain data: its type, its column names, and the dtypes of `columns`."""
    if not isinstance(frame, pd.DataFrame):
        return {"type": type(frame).__name__}
    return {"type": "DataFrame", "columns": [str(name) for name in frame.columns],
            "dtypes": {str(name): str(frame[name].dtype) for name in frame.columns if name in columns}}


def numbers(series):
    try:
        return series.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        return f"values that are not numbers ({series.dtype})"


def cleaned(module, sales, names):
    frame = module.clean_sales(sales.copy())
    if not isinstance(frame, pd.DataFrame):
        return {"type": type(frame).__name__}
    values = {"rows": len(frame)}
    for name in names:
        if name not in frame.columns:
            values[name] = f"no column {name!r}"
        elif name == "product_id":
            values[name] = [str(value) for value in frame[name]]
        else:
            values[name] = numbers(frame[name])
    return values


def clean_layout(module, sales):
    frame = module.clean_sales(sales.copy())
    summary = describe_frame(frame, NUMERIC)
    if isinstance(frame, pd.DataFrame):
        summary["index is 0, 1, ..., n - 1"] = bool(frame.index.equals(pd.RangeIndex(len(frame))))
    return summary


def test_clean_sales_columns_dtypes_and_index(learner, reference, seed):
    expect_same(learner, reference, clean_layout, sales_table(seed), what="clean_sales(sales): layout")


def test_exact_duplicates_are_dropped_keeping_the_first(learner, reference, seed):
    sales = sales_table(seed + 1, n=12, duplicates=4, with_missing=False)
    expect_same(learner, reference, cleaned, sales, ["order_id", "product_id"],
                what="clean_sales on 16 rows, 4 of them exported twice (no missing discounts)")


def test_a_missing_discount_becomes_zero(learner, reference, seed):
    sales = sales_table(seed + 2, n=12, duplicates=0)
    expect_same(learner, reference, cleaned, sales, ["order_id", "discount"], rtol=RTOL, atol=ATOL,
                what="clean_sales on 12 rows, some without a discount (NaN), no duplicates")


def test_quantity_as_whole_numbers(learner, reference, seed):
    expect_same(learner, reference, cleaned, sales_table(seed + 3), ["quantity"],
                what="clean_sales(sales)['quantity'] (text such as ' 12 ' in the input)")


def test_revenue(learner, reference, seed):
    expect_same(learner, reference, cleaned, sales_table(seed), ["order_id", "revenue"], rtol=RTOL, atol=ATOL,
                what="clean_sales(sales)['revenue']")


def test_the_whole_cleaned_table(learner, reference, seed):
    expect_same(learner, reference, cleaned, sales_table(seed + 4), CLEAN_COLUMNS, rtol=RTOL, atol=ATOL,
                what="clean_sales(sales)")


def leaves_inputs(module, sales, products):
    sales_before, products_before = sales.copy(), products.copy()
    module.clean_sales(sales)
    module.category_summary(sales, products)
    return {"sales unchanged": bool(sales.equals(sales_before)),
            "products unchanged": bool(products.equals(products_before))}


def test_the_tables_passed_in_are_left_alone(learner, reference, seed):
    expect_same(learner, reference, leaves_inputs, sales_table(seed + 5), products_table(),
                what="the tables after clean_sales and category_summary")


# --- category_summary ------------------------------------------------------------------------------------------
def summary_layout(module, sales, products):
    frame = module.category_summary(sales.copy(), products.copy())
    layout = describe_frame(frame, SUMMARY_COLUMNS)
    if isinstance(frame, pd.DataFrame):
        layout["index name"] = str(frame.index.name)
    return layout


def test_summary_columns_dtypes_and_index_name(learner, reference, seed):
    expect_same(learner, reference, summary_layout, sales_table(seed), products_table(),
                what="category_summary(sales, products): layout")


def categories(module, sales, products):
    frame = module.category_summary(sales.copy(), products.copy())
    if not isinstance(frame, pd.DataFrame):
        return {"type": type(frame).__name__}
    names = [str(name) for name in frame.index]
    return {"sales of unknown products are under 'unknown'": "unknown" in names,
            "a category without sales ('garden') is absent": "garden" not in names,
            "categories, by revenue (largest first)": names}


def test_categories_from_a_left_merge_by_revenue(learner, reference, seed):
    expect_same(learner, reference, categories, sales_table(seed), products_table(),
                what="category_summary(sales, products).index")


def per_category(module, sales, products):
    frame = module.category_summary(sales.copy(), products.copy())
    if not isinstance(frame, pd.DataFrame):
        return {"type": type(frame).__name__}
    values = {}
    for name, row in frame.iterrows():
        values[str(name)] = {column: (float(row[column]) if column in frame.columns else f"no column {column!r}")
                             for column in SUMMARY_COLUMNS}
    return values


def test_summary_values_per_category(learner, reference, seed):
    expect_same(learner, reference, per_category, sales_table(seed + 6), products_table(), rtol=RTOL, atol=ATOL,
                what="category_summary(sales, products)")


def test_summary_of_the_docstring_example(learner, reference):
    sales = pd.DataFrame({"order_id": [1, 2], "product_id": ["P1", "P9"], "quantity": ["2", " 1 "],
                          "unit_price": [5.0, 10.0], "discount": [np.nan, 0.5]})
    products = pd.DataFrame({"product_id": ["P1"], "category": ["books"]})
    expect_same(learner, reference, per_category, sales, products, rtol=RTOL, atol=ATOL,
                what="category_summary of the docstring's example")
    expect_same(learner, reference, categories, sales, products, what="the docstring example's categories")


def test_equal_revenue_in_alphabetical_order(learner, reference):
    # toys, books and kitchen all earn 30.0 exactly; sports earns more, the unknown product less.
    sales = pd.DataFrame({"order_id": [1, 2, 3, 4, 5, 6], "product_id": ["P03", "P01", "P05", "P08", "P42", "P02"],
                          "quantity": ["3", "1", "6", "10", "1", "2"],
                          "unit_price": [10.0, 10.0, 5.0, 10.0, 4.0, 10.0], "discount": [0.0] * 6})
    expect_same(learner, reference, categories, sales, products_table(),
                what="categories with equal revenue (books, kitchen and toys: 30.0 each)")
