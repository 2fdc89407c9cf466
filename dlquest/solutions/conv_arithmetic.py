"""Reference solution for `conv_arithmetic`: the formulas PyTorch's convolution uses, in integers."""


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    padded = size + 2 * padding
    if padded < span:
        raise ValueError(f"the kernel spans {span} positions but the padded input has only {padded}")
    return (padded - span) // stride + 1


def conv2d_output_shape(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1):
    batch, _, height, width = input_shape
    settings = [_pair(v) for v in (kernel_size, stride, padding, dilation)]
    out_h = conv_output_size(height, *(v[0] for v in settings))
    out_w = conv_output_size(width, *(v[1] for v in settings))
    return (int(batch), int(out_channels), out_h, out_w)


def conv2d_parameter_count(in_channels, out_channels, kernel_size, bias=True, groups=1):
    if in_channels % groups or out_channels % groups:
        raise ValueError("in_channels and out_channels must be divisible by groups")
    kernel_h, kernel_w = _pair(kernel_size)
    weights = out_channels * (in_channels // groups) * kernel_h * kernel_w
    return weights + (out_channels if bias else 0)
