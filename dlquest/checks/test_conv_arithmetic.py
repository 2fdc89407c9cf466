"""Check for `conv_arithmetic`: output sizes, output shapes and parameter counts equal the reference's.

The reference equals what PyTorch builds (nn.Conv2d's output shapes and parameter counts; the project's tests
prove that over these very cases). Each test sends a whole table of settings in one probe and compares the
answers setting by setting, with a ValueError reported as the string "ValueError".
"""


from dlquest.grader.checklib import CONVOLUTION_OPS, Rule, expect_same

# No convolution runs (on a meta tensor neither): the sizes come from the formulas.
RULE = Rule("a PyTorch convolution", ops=[CONVOLUTION_OPS])

# (size, kernel_size, stride, padding, dilation)
SIZES = [(4, 2, 1, 0, 1), (4, 2, 2, 0, 1), (4, 2, 1, 1, 1), (32, 3, 1, 1, 1), (32, 5, 1, 0, 1), (6, 3, 2, 0, 1),
         (224, 7, 2, 3, 1), (7, 3, 3, 0, 1), (28, 5, 1, 2, 1), (5, 5, 1, 0, 1), (9, 4, 2, 1, 1), (1, 1, 1, 0, 1),
         (13, 3, 4, 2, 1)]
DILATED = [(10, 3, 1, 0, 2), (10, 3, 1, 2, 2), (32, 3, 2, 4, 4), (15, 5, 3, 0, 2), (9, 2, 1, 0, 3), (5, 3, 1, 0, 2),
           (64, 3, 1, 6, 6)]
TOO_SMALL = [(3, 5, 1, 0, 1), (4, 7, 1, 1, 1), (5, 3, 1, 0, 3), (2, 2, 1, 0, 2)]

# (input_shape, out_channels, kernel_size, stride, padding, dilation)
SHAPES = [
    ((1, 3, 32, 32), 16, 3, 1, 0, 1),
    ((2, 3, 224, 224), 64, 7, 2, 3, 1),
    ((8, 1, 28, 28), 6, 5, 1, 0, 1),
    ((4, 6, 14, 14), 16, 5, 1, 0, 1),
    ((1, 2, 7, 6), 4, (3, 2), (2, 1), (1, 0), 1),
    ((3, 5, 20, 11), 7, (1, 3), 1, (0, 1), (1, 2)),
    ((2, 4, 17, 23), 8, 3, (2, 3), 2, (3, 1)),
    ((5, 16, 9, 9), 32, 1, 1, 0, 1),
]
SHAPE_TOO_SMALL = [((1, 1, 10, 3), 2, (3, 5), 1, 0, 1), ((1, 1, 4, 40), 2, 3, 1, 0, (3, 1))]

# (in_channels, out_channels, kernel_size, bias, groups)
COUNTS = [(3, 16, 3, True, 1), (1, 6, 5, True, 1), (6, 16, 5, True, 1), (3, 64, 11, True, 1), (512, 512, 3, True, 1),
          (3, 16, 3, False, 1), (64, 128, 1, False, 1), (2, 4, (3, 2), True, 1), (5, 7, (1, 4), False, 1)]
GROUPED = [(4, 8, 3, True, 2), (32, 32, 3, True, 32), (32, 64, 3, False, 32), (12, 6, (3, 5), True, 3),
           (64, 64, 1, True, 4)]
NOT_DIVISIBLE = [(3, 8, 3, True, 2), (4, 6, 3, True, 4), (6, 4, 3, False, 4)]


def attempt(function, args):
    try:
        return function(*args)
    except ValueError:
        return "ValueError"


def table(module, name, cases):
    function = getattr(module, name)
    return {repr(case): attempt(function, case) for case in cases}


def result_types(module):
    results = [module.conv_output_size(*SIZES[3]), module.conv_output_size(*DILATED[0]),
               *module.conv2d_output_shape(*SHAPES[4]), module.conv2d_parameter_count(*COUNTS[0]),
               module.conv2d_parameter_count(*GROUPED[0])]
    shape = module.conv2d_output_shape(*SHAPES[0])
    return {"tuple from conv2d_output_shape": isinstance(shape, tuple),
            "types": [type(value).__name__ for value in results]}


def test_output_size(learner, reference):
    expect_same(learner, reference, table, "conv_output_size", SIZES, what="conv_output_size")


def test_output_size_with_dilation(learner, reference):
    expect_same(learner, reference, table, "conv_output_size", DILATED, what="conv_output_size with dilation")


def test_output_size_raises_when_the_kernel_does_not_fit(learner, reference):
    expect_same(learner, reference, table, "conv_output_size", TOO_SMALL, what="conv_output_size (kernel too big)")


def test_output_shape(learner, reference):
    expect_same(learner, reference, table, "conv2d_output_shape", SHAPES + SHAPE_TOO_SMALL,
                what="conv2d_output_shape")


def test_parameter_count(learner, reference):
    expect_same(learner, reference, table, "conv2d_parameter_count", COUNTS, what="conv2d_parameter_count")


def test_parameter_count_with_groups(learner, reference):
    expect_same(learner, reference, table, "conv2d_parameter_count", GROUPED + NOT_DIVISIBLE,
                what="conv2d_parameter_count with groups")


def test_results_are_python_ints(learner, reference):
    expect_same(learner, reference, result_types, what="result types")
