"""Check for `python_idioms`: what `Batches`, `Pipeline` and `timed` do, judged by behaviour against the reference.

Batches: the batches of one pass (in order, the shorter last one, drop_last), `len` without iterating, a new pass
at every iteration, shuffled passes drawn from one `random.Random(seed)`, the items left alone, ValueError for a
batch size below 1. Pipeline: the order of the steps, each fed the previous result, no steps, its own copy of
the steps. timed: the time added into the dict, also when the body raises, and the exception passed on.

Pure Python: no torch is imported, so grading takes well under a second. Times are judged with wide margins
(a body that sleeps 50 ms must record at least 40 ms and under 5 s): a loaded machine only makes them longer.
"""

import pytest

from dlquest.grader.checklib import expect_same

SLEEP = 0.05


# --- Batches -----------------------------------------------------------------------------------------------
def one_pass(module, items, batch_size, options):
    batches = module.Batches(items, batch_size, **options)
    passed = [batch for batch in batches]
    return {"batches": [list(batch) for batch in passed],
            "each batch a list": all(type(batch) is list for batch in passed)}


@pytest.mark.parametrize("n, batch_size", [(10, 3), (9, 3), (2, 5), (1, 1)])
def test_one_pass_in_order_with_the_shorter_last_batch(learner, reference, n, batch_size):
    expect_same(learner, reference, one_pass, list(range(n)), batch_size, {},
                what=f"list(Batches(list(range({n})), {batch_size}))")


@pytest.mark.parametrize("n, batch_size", [(10, 3), (9, 3), (2, 5)])
def test_drop_last_leaves_out_the_shorter_batch(learner, reference, n, batch_size):
    expect_same(learner, reference, one_pass, [f"x{i}" for i in range(n)], batch_size, {"drop_last": True},
                what=f"list(Batches({n} items, {batch_size}, drop_last=True))")


def test_a_tuple_or_range_gives_lists(learner, reference):
    expect_same(learner, reference, one_pass, ("a", "b", "c"), 2, {}, what="list(Batches(('a', 'b', 'c'), 2))")
    expect_same(learner, reference, one_pass, range(5), 2, {"drop_last": True},
                what="list(Batches(range(5), 2, drop_last=True))")


def test_no_items_no_batches(learner, reference):
    expect_same(learner, reference, one_pass, [], 4, {}, what="list(Batches([], 4))")


def lengths(module, cases):
    return {f"len(Batches(range({n}), {b}, drop_last={drop}))": len(module.Batches(range(n), b, drop_last=drop))
            for n, b, drop in cases}


def test_len_is_the_number_of_batches_of_a_pass(learner, reference):
    cases = [(10, 3, False), (10, 3, True), (9, 3, False), (9, 3, True), (2, 5, False), (2, 5, True),
             (0, 2, False), (7, 1, False)]
    expect_same(learner, reference, lengths, cases, what="len(batches)")


def passes(module, items, batch_size, options, count):
    batches = module.Batches(items, batch_size, **options)
    return {f"pass {k + 1}": [list(batch) for batch in batches] for k in range(count)}


def test_every_iteration_is_a_new_pass(learner, reference):
    expect_same(learner, reference, passes, list(range(7)), 3, {}, 3,
                what="three `for batch in batches` loops over one Batches(list(range(7)), 3)")


def test_shuffled_passes_follow_the_seed(learner, reference, seed):
    items = [f"item{i}" for i in range(11)]
    expect_same(learner, reference, passes, items, 4, {"shuffle": True, "seed": seed}, 3,
                what=f"three passes of Batches(11 items, 4, shuffle=True, seed={seed})")


def test_shuffled_passes_with_drop_last(learner, reference, seed):
    expect_same(learner, reference, passes, [f"x{i}" for i in range(10)], 3, {"shuffle": True, "seed": seed + 1,
                                                                 "drop_last": True}, 2,
                what=f"two passes of Batches(10 items, 3, shuffle=True, seed={seed + 1}, drop_last=True)")


def items_after_passes(module, items, seed):
    before = list(items)
    batches = module.Batches(items, 2, shuffle=True, seed=seed)
    for _ in range(3):
        for _batch in batches:
            pass
    return {"the list passed in is unchanged": items == before}


def test_the_items_are_left_alone(learner, reference, seed):
    expect_same(learner, reference, items_after_passes, list(range(9)), seed,
                what="the items after three shuffled passes")


def too_small(module, batch_size):
    try:
        module.Batches([1, 2, 3], batch_size)
    except ValueError:
        return "ValueError"
    return "no exception"


@pytest.mark.parametrize("batch_size", [0, -2])
def test_a_batch_size_below_1_raises_value_error(learner, reference, batch_size):
    expect_same(learner, reference, too_small, batch_size, what=f"Batches([1, 2, 3], {batch_size})")


# --- Pipeline ----------------------------------------------------------------------------------------------
def in_order(module, x):
    calls = []

    def add_one(value):
        calls.append("add_one")
        return value + 1

    def double(value):
        calls.append("double")
        return value * 2

    def minus_three(value):
        calls.append("minus_three")
        return value - 3

    pipeline = module.Pipeline([add_one, double, minus_three])
    result = pipeline(x)
    return {"result": result, "steps called": calls}


def test_the_steps_run_in_order_on_the_previous_result(learner, reference):
    expect_same(learner, reference, in_order, 5,
                what="Pipeline([add_one, double, minus_three])(5), and the order of the calls")


def text_steps(module, text):
    return module.Pipeline([str.strip, str.lower, str.split])(text)


def test_the_docstring_example_and_one_step_more(learner, reference):
    expect_same(learner, reference, text_steps, "  Hello Deep Learning ",
                what="Pipeline([str.strip, str.lower, str.split])('  Hello Deep Learning ')")


def no_steps(module):
    value = {"unchanged": True}
    return {"returns the very object passed in": module.Pipeline([])(value) is value}


def test_no_steps_returns_the_input_itself(learner, reference):
    expect_same(learner, reference, no_steps, what="Pipeline([])(x)")


def own_copy(module):
    def add_one(value):
        return value + 1

    def times_ten(value):
        return value * 10

    steps = [add_one]
    pipeline = module.Pipeline(steps)
    steps.append(times_ten)
    from_a_list = [pipeline(1), pipeline(2)]
    made_from_a_generator = module.Pipeline(step for step in [add_one, times_ten])
    return {"after appending to the list passed in": from_a_list,
            "a pipeline made from a generator, called three times": [made_from_a_generator(x) for x in (1, 2, 3)]}


def test_the_pipeline_keeps_its_own_list_of_steps(learner, reference):
    expect_same(learner, reference, own_copy, what="a Pipeline whose steps came from a list or a generator")


def nested(module, x):
    inner = module.Pipeline([abs, str])
    return module.Pipeline([inner, len])(x)


def test_a_pipeline_is_a_step_of_another(learner, reference):
    expect_same(learner, reference, nested, -12345, what="Pipeline([Pipeline([abs, str]), len])(-12345)")


# --- timed -------------------------------------------------------------------------------------------------
def elapsed_summary(record, name, at_least):
    value = record.get(name)
    return {f"{name!r} in record": name in record,
            "keys": sorted(record),
            f"record[{name!r}] is a float": type(value) is float,
            f"record[{name!r}] >= {at_least:.2f} s": isinstance(value, float) and value >= at_least,
            f"record[{name!r}] < {at_least + 5:.2f} s": isinstance(value, float) and value < at_least + 5}


def times_a_body(module, sleep):
    import time

    record = {}
    with module.timed(record, "sleep"):
        time.sleep(sleep)
    return elapsed_summary(record, "sleep", sleep * 0.8)


def test_timed_records_the_seconds_of_the_body(learner, reference):
    expect_same(learner, reference, times_a_body, SLEEP, what=f"record after `with timed(record, 'sleep')` "
                                                              f"around a {SLEEP} s sleep")


def adds_up(module, sleep):
    import time

    record = {"step": 1.0, "other": 7.0}
    with module.timed(record, "step"):
        time.sleep(sleep)
    with module.timed(record, "step"):
        time.sleep(sleep)
    summary = elapsed_summary(record, "step", 1.0 + 2 * sleep * 0.8)
    summary["record['other'] unchanged"] = record.get("other") == 7.0
    return summary


def test_timed_adds_to_what_the_name_already_holds(learner, reference):
    expect_same(learner, reference, adds_up, SLEEP,
                what=f"record = {{'step': 1.0, 'other': 7.0}}, then two `with timed(record, 'step')` of {SLEEP} s each")


class BodyFailed(Exception):
    """The exception the timed body raises: a class of the check's own, so no learner code raises it."""


def when_the_body_raises(module, sleep):
    import time

    record = {}
    raised = BodyFailed("from the body")
    caught = None
    try:
        with module.timed(record, "failing"):
            time.sleep(sleep)
            raise raised
    except BodyFailed as error:
        caught = error
    return {"recorded": elapsed_summary(record, "failing", sleep * 0.8),
            "the body's exception reached the caller": caught is raised}


def test_timed_records_even_when_the_body_raises(learner, reference):
    expect_same(learner, reference, recorded_part, SLEEP,
                what="record after `with timed(record, 'failing')` around a body that raises")


def recorded_part(module, sleep):
    return when_the_body_raises(module, sleep)["recorded"]


def propagated_part(module, sleep):
    return {"the body's exception reached the caller":
            when_the_body_raises(module, sleep)["the body's exception reached the caller"]}


def test_timed_lets_the_exception_through(learner, reference):
    expect_same(learner, reference, propagated_part, SLEEP,
                what="`with timed(record, 'failing')` around a body that raises")
