"""Reusable pieces of the app's screens. Each renders what it is given and computes nothing of its own."""
