"""Split a bill and its tip."""
