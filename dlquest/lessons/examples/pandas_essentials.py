"""Example for the lesson "pandas-essentials" / pandas 基础.

Run it with `dlquest run pandas-essentials` (or `python dlquest/lessons/examples/pandas_essentials.py`).
Offline (the table is built in the script; the wine data ships with scikit-learn), deterministic, ~1 s.

1. A small table: dtypes, head, describe.
2. Selecting: columns, loc, iloc, boolean filters.
3. Missing values: isna, fillna, dropna.
4. New columns, groupby and aggregation.
5. From a DataFrame to the arrays a model needs: features, one-hot columns, a train/test split.
6. A bar chart of a group mean in the terminal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from termplot import heading


def make_table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 12
    table = pd.DataFrame({
        "city": rng.choice(["Beijing", "Shanghai", "Shenzhen"], size=n),
        "area_m2": rng.integers(40, 140, size=n).astype(float),
        "rooms": rng.integers(1, 5, size=n),
        "age_years": rng.integers(0, 30, size=n).astype(float),
    })
    base = {"Beijing": 6.0, "Shanghai": 6.5, "Shenzhen": 5.5}
    table["price_m"] = (table["city"].map(base) * table["area_m2"] / 100 - 0.03 * table["age_years"]
                        + rng.normal(0, 0.2, size=n)).round(2)
    table.loc[[2, 7], "age_years"] = np.nan   # two missing values on purpose
    return table


def part_inspect(df: pd.DataFrame) -> None:
    heading("A first look", "初步查看")
    print(df.head())
    print("\nshape / 形状:", df.shape)
    print("dtypes / 各列类型:", dict(df.dtypes.astype(str)))
    print("\ndescribe():")
    print(df.describe().round(2))


def part_select(df: pd.DataFrame) -> None:
    heading("Selecting rows and columns", "选择行与列")
    print("df['price_m'].head(3) is a Series:", df["price_m"].head(3).tolist())
    print("df.loc[0:2, ['city', 'rooms']] (labels, end included / 按标签, 含终点):")
    print(df.loc[0:2, ["city", "rooms"]])
    print("df.iloc[0:2, 0:2] (positions, end excluded / 按位置, 不含终点):")
    print(df.iloc[0:2, 0:2])
    big = df[(df["area_m2"] > 100) & (df["rooms"] >= 3)]
    print(f"area > 100 and rooms >= 3: {len(big)} rows / 行")
    print(big[["city", "area_m2", "rooms"]])


def part_missing(df: pd.DataFrame) -> pd.DataFrame:
    heading("Missing values", "缺失值")
    print("df.isna().sum():", {k: int(v) for k, v in df.isna().sum().items()})
    print("dropna() keeps", len(df.dropna()), "of", len(df), "rows / 行")
    filled = df.fillna({"age_years": df["age_years"].median()})
    print("fillna with the median age / 用年龄中位数填充:", df["age_years"].median())
    return filled


def part_groupby(df: pd.DataFrame) -> pd.Series:
    heading("New columns and groupby", "新列与分组聚合")
    df = df.assign(price_per_m2=lambda d: (d["price_m"] * 1e6 / d["area_m2"]).round(0))
    print(df[["city", "area_m2", "price_m", "price_per_m2"]].head(4))
    summary = df.groupby("city").agg(homes=("price_m", "size"), mean_price=("price_m", "mean"),
                                     mean_area=("area_m2", "mean")).round(2)
    print("\ngroupby('city').agg(...):")
    print(summary)
    return df.groupby("city")["price_per_m2"].mean()


def part_to_arrays(df: pd.DataFrame) -> None:
    heading("From a table to model inputs", "从表格到模型输入")
    encoded = pd.get_dummies(df, columns=["city"], dtype=float)
    print("columns after get_dummies / 独热编码后的列:", list(encoded.columns))
    X = encoded.drop(columns="price_m").to_numpy()
    y = encoded["price_m"].to_numpy()
    print("X:", X.shape, X.dtype, " y:", y.shape)
    test = encoded.sample(frac=0.25, random_state=0)
    train = encoded.drop(test.index)
    print(f"train {len(train)} rows, test {len(test)} rows / 训练 {len(train)} 行, 测试 {len(test)} 行")

    from sklearn.datasets import load_wine
    wine = load_wine(as_frame=True).frame
    print("\nload_wine(as_frame=True).frame:", wine.shape, "| class counts / 各类数量:",
          {int(k): int(v) for k, v in wine["target"].value_counts().sort_index().items()})


def part_plot(per_m2: pd.Series) -> None:
    heading("Mean price per m² by city", "各城市平均每平方米价格")
    import sys

    import plotext as plt

    fig = plt.figure
    fig.clear()
    fig.plot_size(60, 14)
    fig.title("mean price per m² (yuan)")
    fig.draw(fig.bar(per_m2.index.tolist(), per_m2.round(0).tolist()))
    fig.show(colorless=not sys.stdout.isatty())


def main() -> None:
    df = make_table()
    part_inspect(df)
    part_select(df)
    filled = part_missing(df)
    per_m2 = part_groupby(filled)
    part_to_arrays(filled)
    part_plot(per_m2)


if __name__ == "__main__":
    main()
