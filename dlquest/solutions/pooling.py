"""Reference solution for `pooling`: Tensor.unfold cuts out every window as a view, then a reduction."""



def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _windows(input, kernel_size, stride):
    kernel_h, kernel_w = _pair(kernel_size)
    stride_h, stride_w = _pair(kernel_size if stride is None else stride)
    # (N, C, H_out, W_out, kH, kW): unfold drops the rows and columns no full window reaches.
    return input.unfold(2, kernel_h, stride_h).unfold(3, kernel_w, stride_w)


def max_pool2d(input, kernel_size, stride=None):
    windows = _windows(input, kernel_size, stride)
    return windows.flatten(-2).max(dim=-1).values


def avg_pool2d(input, kernel_size, stride=None):
    windows = _windows(input, kernel_size, stride)
    return windows.mean(dim=(-2, -1))
