"""Stage 1 (foundations), unit python-data, issue 17: the checks of `python_idioms` and `pandas_cleaning`
discriminate, graded exactly as `dlquest check` does (on the CPU):

- the untouched stub fails every test, and the reference solution passes;
- typical wrong implementations fail, each on the test aimed at its mistake, with its feedback code;
- correct implementations written differently from the reference pass: the checks judge the contract.
"""

from __future__ import annotations

from textwrap import dedent

from discrimination import Cases, Wrong, four_way_tests, solution_source, variant

# === python_idioms =========================================================================================
IDIOMS = solution_source("python_idioms")
SHUFFLE_EACH_PASS = ("        if self.shuffle:\n            self.rng.shuffle(order)\n",
                     "        if self.shuffle:\n            random.Random(self.seed).shuffle(order)\n")
TIMED_FINALLY = ('''    start = time.perf_counter()
    try:
        yield
    finally:
        # finally: runs when the body raises too, and the exception then carries on to the caller.
        record[name] = record.get(name, 0.0) + (time.perf_counter() - start)
''')

IDIOMS_WRONG = {
    # One generator made in __init__ and handed out by __iter__: the second loop finds it used up.
    "batches_hands_out_one_generator": Wrong(
        fails={"test_every_iteration_is_a_new_pass": "length_mismatch",
               "test_shuffled_passes_follow_the_seed": "length_mismatch",
               "test_shuffled_passes_with_drop_last": "length_mismatch"},
        only=True,
        source=variant(IDIOMS, ("        self.rng = random.Random(seed)\n",
                                "        self.rng = random.Random(seed)\n        self.generator = self.batches()\n"),
                       ("    def __iter__(self) -> Iterator[list[Any]]:\n",
                        "    def __iter__(self):\n        return self.generator\n\n    def batches(self):\n")),
    ),
    # A fresh random.Random(seed) in every pass: every epoch sees the same order.
    "same_order_every_pass": Wrong(
        fails={"test_shuffled_passes_follow_the_seed": "value_differs",
               "test_shuffled_passes_with_drop_last": "value_differs"},
        only=True,
        source=variant(IDIOMS, ("        self.shuffle = shuffle\n",
                                "        self.shuffle = shuffle\n        self.seed = seed\n"), SHUFFLE_EACH_PASS),
    ),
    # Shuffles the caller's list in place (and so the passes build on each other).
    "shuffles_the_items_in_place": Wrong(
        fails={"test_the_items_are_left_alone": "value_differs",
               "test_shuffled_passes_follow_the_seed": "value_differs"},
        source=variant(IDIOMS, ("            self.rng.shuffle(order)\n",
                                "            self.rng.shuffle(self.items)\n")),
    ),
    # drop_last ignored: the short last batch always comes.
    "ignores_drop_last": Wrong(
        fails={"test_drop_last_leaves_out_the_shorter_batch[10-3]": "length_mismatch",
               "test_len_is_the_number_of_batches_of_a_pass": "value_mismatch"},
        source=variant(IDIOMS, ("        if self.drop_last:\n            return len(self.items) // self.batch_size\n", ""),
                       ("stop = len(self) * self.batch_size if self.drop_last else len(order)",
                        "stop = len(order)")),
    ),
    # Rounds the number of batches down even without drop_last: the short last batch is lost.
    "len_rounds_down": Wrong(
        fails={"test_one_pass_in_order_with_the_shorter_last_batch[10-3]": "length_mismatch",
               "test_len_is_the_number_of_batches_of_a_pass": "value_mismatch"},
        source=variant(IDIOMS, ("return -(-len(self.items) // self.batch_size)  # rounded up",
                                "return len(self.items) // self.batch_size"),
                       ("stop = len(self) * self.batch_size if self.drop_last else len(order)",
                        "stop = len(self) * self.batch_size")),
    ),
    # Yields tuples (slices of a tuple) instead of new lists.
    "yields_tuples": Wrong(
        fails={"test_a_tuple_or_range_gives_lists": "value_differs",
               "test_one_pass_in_order_with_the_shorter_last_batch[10-3]": "value_differs"},
        source=variant(IDIOMS, ("yield [self.items[i] for i in order[start:start + self.batch_size]]",
                                "yield tuple(self.items[i] for i in order[start:start + self.batch_size])")),
    ),
    # No check of the batch size: range(0, n, 0) raises its own ValueError only when iterated, not at creation.
    "no_batch_size_check": Wrong(
        fails={"test_a_batch_size_below_1_raises_value_error[0]": "value_differs",
               "test_a_batch_size_below_1_raises_value_error[-2]": "value_differs"},
        only=True,
        source=variant(IDIOMS, ('''        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
''', "")),
    ),
    # Applies the steps last to first, as mathematical composition f(g(x)) reads.
    "pipeline_in_reverse": Wrong(
        fails={"test_the_steps_run_in_order_on_the_previous_result": "value_mismatch"},
        source=variant(IDIOMS, ("        for step in self.steps:\n            x = step(x)\n",
                                "        for step in reversed(self.steps):\n            x = step(x)\n")),
    ),
    # Feeds every step the original input: only the last step's effect survives.
    "every_step_on_the_input": Wrong(
        fails={"test_the_steps_run_in_order_on_the_previous_result": "value_mismatch",
               "test_the_docstring_example_and_one_step_more": "value_differs"},
        source=variant(IDIOMS, ("        for step in self.steps:\n            x = step(x)\n        return x\n",
                                "        out = x\n        for step in self.steps:\n            out = step(x)\n"
                                "        return out\n")),
    ),
    # Keeps the caller's list (aliasing), or the generator itself, which the first call uses up.
    "pipeline_keeps_the_argument": Wrong(
        fails={"test_the_pipeline_keeps_its_own_list_of_steps": "value_mismatch"},
        only=True,
        source=variant(IDIOMS, ("        self.steps = list(steps)\n", "        self.steps = steps\n")),
    ),
    # No try/finally: an exception in the body skips the recording.
    "timed_without_finally": Wrong(
        fails={"test_timed_records_even_when_the_body_raises": "value_differs"},
        only=True,
        source=variant(IDIOMS, (TIMED_FINALLY, '''    start = time.perf_counter()
    yield
    record[name] = record.get(name, 0.0) + (time.perf_counter() - start)
''')),
    ),
    # Catches the body's exception to record the time, and never raises it again.
    "timed_swallows_the_exception": Wrong(
        fails={"test_timed_lets_the_exception_through": "value_differs"},
        only=True,
        source=variant(IDIOMS, (TIMED_FINALLY, '''    start = time.perf_counter()
    try:
        yield
    except Exception:
        pass
    record[name] = record.get(name, 0.0) + (time.perf_counter() - start)
''')),
    ),
    # Overwrites the name's entry instead of adding to it.
    "timed_overwrites": Wrong(
        fails={"test_timed_adds_to_what_the_name_already_holds": "value_differs"},
        only=True,
        source=variant(IDIOMS, ("record[name] = record.get(name, 0.0) + (time.perf_counter() - start)",
                                "record[name] = time.perf_counter() - start")),
    ),
}

IDIOMS_CORRECT = {
    # Shuffles a copy of the items with the same generator (the same permutation as shuffling the indices);
    # __len__ with math.ceil; the pipeline with functools.reduce; timed as a class.
    "classes_and_reduce": dedent('''
        import functools
        import math
        import random
        import time


        class Batches:
            def __init__(self, items, batch_size, shuffle=False, seed=0, drop_last=False):
                if not batch_size >= 1:
                    raise ValueError("batch_size must be >= 1")
                self.items, self.batch_size = items, batch_size
                self.shuffle, self.drop_last = shuffle, drop_last
                self._random = random.Random(seed)

            def __len__(self):
                whole, rest = divmod(len(self.items), self.batch_size)
                return whole + (1 if rest and not self.drop_last else 0)

            def __iter__(self):
                pool = list(self.items)
                if self.shuffle:
                    self._random.shuffle(pool)
                for k in range(len(self)):
                    yield pool[k * self.batch_size:(k + 1) * self.batch_size]


        class Pipeline:
            def __init__(self, steps):
                self._steps = tuple(steps)

            def __call__(self, x):
                return functools.reduce(lambda value, step: step(value), self._steps, x)


        class timed:
            def __init__(self, record, name):
                self.record, self.name = record, name

            def __enter__(self):
                self.start = time.perf_counter()
                return self

            def __exit__(self, exc_type, exc, tb):
                self.record[self.name] = self.record.get(self.name, 0.0) + time.perf_counter() - self.start
                return False
    '''),
    # Batches built by a helper generator with yield from; the timer catches, records and re-raises.
    "yield_from_and_reraise": variant(
        IDIOMS,
        ('''        stop = len(self) * self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield [self.items[i] for i in order[start:start + self.batch_size]]
''', '''        yield from self._chunks([self.items[i] for i in order])

    def _chunks(self, ordered):
        for start in range(0, len(ordered), self.batch_size):
            chunk = ordered[start:start + self.batch_size]
            if len(chunk) == self.batch_size or not self.drop_last:
                yield chunk
'''),
        (TIMED_FINALLY, '''    start = time.perf_counter()
    try:
        yield
    except BaseException:
        record[name] = record.get(name, 0.0) + (time.perf_counter() - start)
        raise
    record[name] = record.get(name, 0.0) + (time.perf_counter() - start)
'''),
    ),
}


# === pandas_cleaning =======================================================================================
PANDAS = solution_source("pandas_cleaning")
FILL = ('clean["discount"] = clean["discount"].fillna(0.0)',)
LEFT = ('on="product_id", how="left"',)
SORT = ('sort_values(["revenue", "category"], ascending=[False, True])',)

PANDAS_WRONG = {
    # Drops the sales without a discount instead of filling 0.0.
    "drops_missing_discounts": Wrong(
        fails={"test_a_missing_discount_becomes_zero": "value_mismatch"},
        source=variant(PANDAS, (*FILL, 'clean = clean.dropna(subset=["discount"])')),
    ),
    # Fills a missing discount with the mean discount: a made-up discount for sales that had none.
    "fills_with_the_mean_discount": Wrong(
        fails={"test_a_missing_discount_becomes_zero": "value_mismatch"},
        source=variant(PANDAS, (*FILL, 'clean["discount"] = clean["discount"].fillna(clean["discount"].mean())')),
    ),
    # Keeps the rows exported twice: every count and sum is inflated.
    "keeps_duplicates": Wrong(
        fails={"test_exact_duplicates_are_dropped_keeping_the_first": "value_mismatch",
               "test_summary_values_per_category": "value_mismatch"},
        source=variant(PANDAS, ('sales.drop_duplicates(keep="first").copy()', "sales.copy()")),
    ),
    # Keeps the last copy of a repeated row: the same rows, in another order.
    "keeps_the_last_copy": Wrong(
        fails={"test_exact_duplicates_are_dropped_keeping_the_first": "value_mismatch"},
        source=variant(PANDAS, ('drop_duplicates(keep="first")', 'drop_duplicates(keep="last")')),
    ),
    # Forgets reset_index: the index keeps the gaps left by the dropped rows.
    "index_not_reset": Wrong(
        fails={"test_clean_sales_columns_dtypes_and_index": "value_differs"},
        only=True,
        source=variant(PANDAS, ("return clean[COLUMNS].reset_index(drop=True)", "return clean[COLUMNS]")),
    ),
    # Converts quantity to float64: right values, wrong dtype (and float units).
    "quantity_as_float": Wrong(
        fails={"test_clean_sales_columns_dtypes_and_index": "value_differs",
               "test_summary_columns_dtypes_and_index_name": "value_differs"},
        only=True,
        source=variant(PANDAS, ('pd.to_numeric(clean["quantity"]).astype("int64")',
                                'clean["quantity"].astype("float64")')),
    ),
    # An inner merge: the sales of products missing from the products table disappear.
    "inner_merge": Wrong(
        fails={"test_categories_from_a_left_merge_by_revenue": "value_differs",
               "test_summary_values_per_category": "keys_mismatch"},
        source=variant(PANDAS, (*LEFT, 'on="product_id", how="inner"')),
    ),
    # An outer merge: a category that was never sold appears, with one phantom row.
    "outer_merge": Wrong(
        fails={"test_categories_from_a_left_merge_by_revenue": "value_differs",
               "test_summary_values_per_category": "keys_mismatch"},
        source=variant(PANDAS, (*LEFT, 'on="product_id", how="outer"')),
    ),
    # Smallest revenue first.
    "sorted_ascending": Wrong(
        fails={"test_categories_from_a_left_merge_by_revenue": "value_differs"},
        source=variant(PANDAS, (*SORT, 'sort_values(["revenue", "category"])')),
    ),
    # No sort: groupby's alphabetical order.
    "alphabetical_only": Wrong(
        fails={"test_categories_from_a_left_merge_by_revenue": "value_differs",
               "test_equal_revenue_in_alphabetical_order": "value_differs"},
        source=variant(PANDAS, (*SORT, 'sort_values("category")')),
    ),
}

PANDAS_CORRECT = {
    # duplicated() as a mask, str.strip + astype, where for the fill, map instead of merge, one groupby per
    # column, mean as revenue / orders, and a stable sort on the alphabetical groupby order.
    "map_and_stable_sort": dedent('''
        import pandas as pd


        def clean_sales(sales):
            out = sales[~sales.duplicated()]
            out = out.assign(quantity=out["quantity"].str.strip().astype(int),
                             discount=out["discount"].where(out["discount"].notna(), 0.0))
            out["revenue"] = out["unit_price"] * out["quantity"] * (1 - out["discount"])
            out.index = range(len(out))
            return out[["order_id", "product_id", "quantity", "unit_price", "discount", "revenue"]]


        def category_summary(sales, products):
            clean = clean_sales(sales)
            lookup = dict(zip(products["product_id"], products["category"]))
            category = clean["product_id"].map(lookup).fillna("unknown").rename("category")
            groups = clean.groupby(category)
            table = pd.DataFrame({"orders": groups.size(), "units": groups["quantity"].sum(),
                                  "revenue": groups["revenue"].sum()})
            table["mean_revenue"] = table["revenue"] / table["orders"]
            return table.sort_values("revenue", ascending=False, kind="stable")
    '''),
    # pd.merge with indicator-free fill after the merge, pivot-free agg with a dict, then sort by two keys.
    "merge_then_fill_with_a_dict_agg": dedent('''
        import numpy as np
        import pandas as pd


        def clean_sales(sales):
            table = sales.drop_duplicates().reset_index(drop=True)
            table["quantity"] = pd.to_numeric(table["quantity"], downcast=None).astype(np.int64)
            table = table.fillna({"discount": 0.0})
            table["revenue"] = (table["quantity"] * table["unit_price"] * (1 - table["discount"])).astype(float)
            return table.loc[:, ["order_id", "product_id", "quantity", "unit_price", "discount", "revenue"]]


        def category_summary(sales, products):
            merged = pd.merge(clean_sales(sales), products, how="left", on="product_id")
            merged = merged.fillna({"category": "unknown"})
            summary = merged.groupby("category").agg({"order_id": "count", "quantity": "sum", "revenue": ["sum", "mean"]})
            summary.columns = ["orders", "units", "revenue", "mean_revenue"]
            summary = summary.sort_index().sort_values("revenue", ascending=False, kind="mergesort")
            summary.index.name = "category"
            return summary
    '''),
}


# === the grading tests ====================================================================================
CASES = {
    "python_idioms": Cases(IDIOMS_WRONG, IDIOMS_CORRECT),
    "pandas_cleaning": Cases(PANDAS_WRONG, PANDAS_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)
