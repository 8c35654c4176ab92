"""Herald's operator side: the command line, local emulation and packaging.

None of this is deployed to Lambda; the deployed code is app.py and
chalicelib/.
"""
