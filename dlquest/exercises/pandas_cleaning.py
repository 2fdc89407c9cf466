"""Exercise `pandas_cleaning`: clean a sales table, merge it with a products table, and sum it up per category.

Implement ``clean_sales(sales)`` and ``category_summary(sales, products)``. The grader builds small tables
from its seed and checks exactly this contract.

The input. ``sales`` has the columns ``order_id`` (int64), ``product_id`` (text such as ``"P03"``),
``quantity`` (whole numbers written as TEXT, some with spaces around them: ``"3"``, ``" 12 "``),
``unit_price`` (float64) and ``discount`` (float64, the fraction taken off: 0.1 is 10 %; NaN means the sale
had no discount). Some rows were exported twice: a row equal to an earlier row in every column is a
duplicate. ``products`` has the columns ``product_id`` (each id once) and ``category`` (text). Some sales
name a product that is not in ``products``, and some products were never sold. Never modify either table.

``clean_sales(sales)`` returns a new DataFrame:

- without the duplicates: keep the first of each group of equal rows, and the rows in their original order;
- ``quantity`` converted to int64;
- a missing ``discount`` filled with 0.0 (the row is kept: a sale without a discount is still a sale);
- a new column ``revenue`` = quantity × unit_price × (1 − discount), float64;
- the columns exactly ``order_id, product_id, quantity, unit_price, discount, revenue``, in that order, with
  the dtypes int64, text, int64, float64, float64, float64;
- the index 0, 1, …, n − 1 (reset it after dropping rows).

``category_summary(sales, products)`` returns a DataFrame with one row per category:

- clean the sales with ``clean_sales``, then attach each sale's category: every cleaned sale is kept
  (a left merge on ``product_id``), and a sale whose product is not in ``products`` gets the category
  ``"unknown"``. A category with no sales does not appear.
- the index is the category (named ``"category"``); the columns are exactly
  ``orders`` (the number of cleaned sales, int64), ``units`` (the sum of ``quantity``, int64),
  ``revenue`` (the sum of ``revenue``, float64) and ``mean_revenue`` (the mean revenue of one sale, float64),
  in that order.
- the rows sorted by ``revenue``, largest first; categories with equal revenue in alphabetical order.

Values are compared within a relative 1e-9 (the order of a sum may differ); counts, dtypes, index and order
exactly.

Example: two sales rows, ``(1, "P1", "2", 5.0, NaN)`` and ``(2, "P9", " 1 ", 10.0, 0.5)``, with products
``P1 → "books"``: ``clean_sales`` gives revenues 10.0 and 5.0 (discounts 0.0 and 0.5), and
``category_summary`` gives ``books``: orders 1, units 2, revenue 10.0, mean_revenue 10.0, then ``unknown``:
orders 1, units 1, revenue 5.0, mean_revenue 5.0.

Check your work with:  dlquest check pandas_cleaning
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def clean_sales(sales: pd.DataFrame) -> pd.DataFrame:
    # TODO: drop_duplicates, convert quantity, fill the missing discounts, add revenue, reset the index.
    raise NotImplementedError("clean_sales")


def category_summary(sales: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    # TODO: clean, merge (how="left"), fill the missing categories, groupby + agg, sort.
    raise NotImplementedError("category_summary")
