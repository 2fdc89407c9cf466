"""The wire format only carries data; the comparison helper judges like torch.testing and explains why."""

import base64
import json
import math

import numpy as np
import pytest
import torch

from dlquest.grader.compare import assert_same
from dlquest.grader.records import CheckFailed
from dlquest.grader.wire import Foreign, WireError, decode, encode


def test_round_trip_of_plain_data():
    value = {"a": [1, 2.5, None, True, "s", (3, 4)], "t": torch.arange(6, dtype=torch.float64).reshape(2, 3),
             "n": np.array([1, 2], dtype=np.int32), "inf": math.inf, "big": 2**70, "bf": torch.ones(2, dtype=torch.bfloat16)}
    back = decode(encode(value))
    assert back["a"] == [1, 2.5, None, True, "s", (3, 4)]
    assert torch.equal(back["t"], value["t"]) and back["t"].dtype == torch.float64
    assert back["n"].dtype == np.int32 and back["inf"] == math.inf and back["big"] == 2**70
    assert back["bf"].dtype == torch.bfloat16


def test_unknown_objects_arrive_as_descriptions():
    class Everything:
        def __eq__(self, other):
            return True

    back = decode(encode([Everything(), {1: "non-string key"}]))
    assert all(isinstance(v, Foreign) for v in back)


@pytest.mark.parametrize("payload", [
    b"not json",
    json.dumps({"~": "ndarray", "dtype": "object", "shape": [1], "b64": ""}).encode(),
    json.dumps({"~": "ndarray", "dtype": "float64", "shape": [4], "b64": base64.b64encode(b"1234").decode()}).encode(),
    json.dumps({"~": "pickle", "v": "gASV"}).encode(),
    json.dumps([1, 2]).encode(),
])
def test_decode_rejects_anything_encode_does_not_write(payload):
    with pytest.raises(WireError):
        decode(payload)


def test_a_correct_float32_convolution_is_accepted():
    torch.manual_seed(0)
    x, w = torch.randn(2, 3, 8, 8), torch.randn(4, 3, 3, 3)
    patches = torch.nn.functional.unfold(x, 3)
    mine = (w.reshape(4, -1) @ patches).reshape(2, 4, 6, 6)
    assert_same(mine, torch.nn.functional.conv2d(x, w))


def test_one_percent_off_is_rejected_with_the_worst_numbers():
    expected = torch.linspace(1, 2, 12, dtype=torch.float64).reshape(3, 4)
    got = expected.clone()
    got[1, 2] *= 1.01
    with pytest.raises(CheckFailed) as err:
        assert_same(got, expected, what="output")
    values = err.value.feedback[0].values
    assert err.value.feedback[0].code == "value_mismatch"
    assert values["index"] == [1, 2] and values["count"] == 1 and values["total"] == 12
    assert values["max_rel"] == pytest.approx(0.01, rel=1e-6)


def test_shape_and_type_problems_are_named():
    with pytest.raises(CheckFailed) as err:
        assert_same(torch.zeros(2, 3), torch.zeros(3, 2))
    assert err.value.feedback[0].code == "shape_mismatch"
    with pytest.raises(CheckFailed) as err:
        assert_same(Foreign("x.Everything", ""), torch.zeros(3))
    assert err.value.feedback[0].code == "type_mismatch"


def test_dtype_differences_are_notes_unless_the_contract_names_one():
    notes = assert_same(torch.ones(3, dtype=torch.float32), torch.ones(3, dtype=torch.float64))
    assert notes[0].code == "dtype_note"
    with pytest.raises(CheckFailed):
        assert_same(torch.ones(3, dtype=torch.float32), torch.ones(3, dtype=torch.float64), check_dtype=True)


def test_nan_must_match_nan():
    with pytest.raises(CheckFailed) as err:
        assert_same(torch.tensor([1.0, math.nan]), torch.tensor([1.0, 2.0]))
    assert err.value.feedback[0].code == "nan_mismatch"
    assert_same(torch.tensor([math.nan]), torch.tensor([math.nan]))
