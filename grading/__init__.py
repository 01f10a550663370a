"""congvu: e-learning and assessment kit for commune officials (grading package)."""
__version__ = "0.1.0"
