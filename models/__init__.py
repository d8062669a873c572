"""Image models behind one small interface (see backend.py)."""
