"""Herald's code. app.py only wires handlers to the functions here."""

__version__ = "0.1.0"
