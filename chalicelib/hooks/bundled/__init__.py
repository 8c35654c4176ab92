"""Hooks shipped inside the bundle: code the operator deployed, never code from the network.

A `python` hook names a module here (`log_event`, or `log_event:function`);
a `python_file` hook names a file here (`log_event.py`). Either defines
`hook(event)`, called with the Herald event {id, type, source, time, data}.
"""
