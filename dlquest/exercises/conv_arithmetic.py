"""Exercise `conv_arithmetic`: the output size and the parameter count of a 2-D convolution layer.

Implement three functions that predict, from the layer's settings alone, what PyTorch builds. Compute them
with integer arithmetic (the grader runs your functions with PyTorch's convolutions switched off).

1. ``conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1)`` -> int
   The output length along ONE spatial dimension, all arguments plain ints:
       out = (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
   (``//`` rounds down). Dilation d spreads the kernel taps d apart, so a kernel of k taps spans
   d * (k - 1) + 1 input positions; with d = 1 the formula is the familiar (size + 2p - k) // s + 1.
   If the padded input is shorter than that span (so that out would be < 1), raise ``ValueError``.

2. ``conv2d_output_shape(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1)``
   -> tuple of 4 ints: the shape of ``nn.Conv2d(C_in, out_channels, kernel_size, stride, padding,
   dilation)(x)`` for an input ``x`` of shape ``input_shape = (N, C_in, H, W)``, that is
   ``(N, out_channels, H_out, W_out)``. ``kernel_size``, ``stride``, ``padding`` and ``dilation`` are each
   an int (the same for height and width) or a pair (for height, for width); H_out uses the first entries
   and W_out the second. Raise ``ValueError`` as in 1. when either output size would be < 1.

3. ``conv2d_parameter_count(in_channels, out_channels, kernel_size, bias=True, groups=1)`` -> int
   The number of trainable values in ``nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias,
   groups=groups)``, i.e. ``sum(p.numel() for p in layer.parameters())``. ``kernel_size`` is an int or a
   pair (kH, kW). With ``groups`` = g the channels are split into g groups and each output channel sees only
   the in_channels / g input channels of its group, so the weight has shape
   (out_channels, in_channels // g, kH, kW); the bias, if any, has out_channels values:
       count = out_channels * (in_channels // groups) * kH * kW + (out_channels if bias else 0)
   Raise ``ValueError`` when in_channels or out_channels is not divisible by groups (as nn.Conv2d does).

Every result is a plain Python ``int`` (or a tuple of them), not a float or a tensor.

Check your work with:  dlquest check conv_arithmetic
"""


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    # TODO: the span of the dilated kernel, then the formula above; raise ValueError when out < 1.
    raise NotImplementedError("conv_output_size")


def conv2d_output_shape(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1):
    # TODO: turn every setting into a (height, width) pair and apply conv_output_size per dimension.
    raise NotImplementedError("conv2d_output_shape")


def conv2d_parameter_count(in_channels, out_channels, kernel_size, bias=True, groups=1):
    # TODO: weights (out_channels, in_channels // groups, kH, kW), plus out_channels biases if bias.
    raise NotImplementedError("conv2d_parameter_count")
