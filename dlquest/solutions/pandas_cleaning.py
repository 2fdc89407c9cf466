"""Reference solution for `pandas_cleaning`: drop_duplicates, to_numeric, fillna, a left merge, a named groupby
aggregation and a two-key sort."""

from __future__ import annotations

import pandas as pd

COLUMNS = ["order_id", "product_id", "quantity", "unit_price", "discount", "revenue"]


def clean_sales(sales: pd.DataFrame) -> pd.DataFrame:
    clean = sales.drop_duplicates(keep="first").copy()
    clean["quantity"] = pd.to_numeric(clean["quantity"]).astype("int64")
    clean["discount"] = clean["discount"].fillna(0.0)
    clean["revenue"] = clean["quantity"] * clean["unit_price"] * (1.0 - clean["discount"])
    return clean[COLUMNS].reset_index(drop=True)


def category_summary(sales: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    clean = clean_sales(sales)
    # how="left": a sale of a product missing from `products` stays, with a NaN category until it is filled.
    merged = clean.merge(products[["product_id", "category"]], on="product_id", how="left")
    merged["category"] = merged["category"].fillna("unknown")
    summary = merged.groupby("category").agg(
        orders=("order_id", "size"),
        units=("quantity", "sum"),
        revenue=("revenue", "sum"),
        mean_revenue=("revenue", "mean"),
    )
    summary = summary.reset_index().sort_values(["revenue", "category"], ascending=[False, True])
    return summary.set_index("category")
