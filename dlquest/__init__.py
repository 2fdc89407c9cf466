"""dlquest: learn deep learning with PyTorch in the terminal."""

__version__ = "0.1.0"
