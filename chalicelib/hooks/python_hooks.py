"""Finding and loading `python` and `python_file` hooks inside the bundle.

Both run code the operator deployed with Herald, in chalicelib/hooks/bundled/:
a `python` hook names a module there (`name` or `name:function`, the function
defaulting to `hook`), a `python_file` hook names a file there (`name.py`)
that defines `hook(event)`. Nothing outside that folder can be named, so an
API key cannot turn an arbitrary library function into a hook, and no code
ever arrives over the network (`python_code` is refused for that reason).
"""

import importlib
import importlib.util
import inspect
import re
import signal
import sys
import threading
from pathlib import Path

PACKAGE = "chalicelib.hooks.bundled"
FOLDER = Path(__file__).resolve().parent / "bundled"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_FUNCTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A web-hook's timeout too: four slow hooks (a batch) still end inside the
# Lambda's 60 s, so one stuck hook cannot time out its batch-mates' invocation.
TIMEOUT = 10.0
MAX_ARG = 200


class LoadError(Exception):
    """The hook cannot be loaded; the message says why."""


class Overrun(BaseException):
    """A hook ran past its deadline. A BaseException, so that the hook's own
    `except Exception` cannot swallow it and run on."""


def call(function, event: dict, seconds: float | None = None):
    """function(event), interrupted by Overrun after `seconds`.

    SIGALRM is the only way to stop a Python function from outside, and it
    works only in the main thread, which is where Lambda runs the handler;
    elsewhere (a test's or a local worker's thread) the hook runs unbounded.
    """
    if threading.current_thread() is not threading.main_thread():
        return function(event)
    seconds = TIMEOUT if seconds is None else seconds

    def expire(signum, frame):
        raise Overrun(f"still running after {seconds:g} s: stopped")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function(event)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def normalize(type_: str, arg: str) -> str:
    """The argument in its stored form; ValueError says what is wrong."""
    if len(str(arg)) > MAX_ARG:
        raise ValueError(f"the hook's name must be at most {MAX_ARG} characters")
    if type_ == "python":
        module, function = _split(arg)
        try:
            found = importlib.util.find_spec(f"{PACKAGE}.{module}")
        except ImportError:  # a dotted name whose parent is no package
            found = None
        if found is None:
            raise ValueError(f"no module {module!r} in the bundle's hooks ({PACKAGE})")
        try:
            loaded = importlib.import_module(f"{PACKAGE}.{module}")
        except Exception as error:  # noqa: BLE001 - any failure to import is a bad name
            raise ValueError(f"cannot import {arg!r}: {type(error).__name__}: {error}") from None
        reason = _not_a_hook(loaded, function, arg)
        if reason:
            raise ValueError(reason)
        return module if function == "hook" else f"{module}:{function}"
    path = _file(arg)
    try:
        exists = path.is_file()
    except OSError:  # a name the file system cannot hold (too long)
        exists = False
    if not exists:
        raise ValueError(f"no file {arg!r} in the bundle's hooks folder (chalicelib/hooks/bundled)")
    return path.relative_to(FOLDER.resolve()).as_posix()


def load(type_: str, arg: str):
    """The hook's callable; LoadError when it cannot be loaded."""
    try:
        if type_ == "python":
            module_name, function = _split(arg)
            module = importlib.import_module(f"{PACKAGE}.{module_name}")
        else:
            function = "hook"
            module = _load_file(_file(arg))
    except LoadError:
        raise
    except ValueError as error:
        raise LoadError(str(error)) from None
    except Exception as error:  # noqa: BLE001 - any failure to import is a load failure
        raise LoadError(f"cannot import {arg!r}: {type(error).__name__}: {error}") from None
    target = getattr(module, function, None)
    if not callable(target):
        raise LoadError(f"{arg!r} defines no callable {function}(event)")
    reason = _not_a_hook(module, function, arg) if type_ == "python" else None
    if reason:
        raise LoadError(reason)
    return target


def _not_a_hook(module, function: str, arg: str) -> str | None:
    """Why module.function may not be a hook, or None.

    Only a public function written in that module itself: otherwise `name:attr`
    could reach whatever the module imported (a logger, a client, a class's
    internals) and make it callable with an event by anyone holding an API key.
    """
    target = getattr(module, function, None)
    if not callable(target):
        return f"{arg!r} defines no callable {function}(event)"
    if function.startswith("_"):
        return f"{arg!r} names {function}, a private name; a hook must be a public function"
    if not inspect.isfunction(target) or target.__module__ != module.__name__:
        return f"{arg!r} names {function}, which is not a function defined in that module"
    return None


def _split(arg: str) -> tuple[str, str]:
    module, _, function = str(arg).partition(":")
    if module.startswith(PACKAGE + "."):
        module = module[len(PACKAGE) + 1 :]
    function = function or "hook"
    if not _NAME.match(module) or not _FUNCTION.match(function):
        raise ValueError(f"{arg!r} is not a module name, optionally followed by :function")
    return module, function


def _file(arg: str) -> Path:
    arg = str(arg)
    if not arg.endswith(".py") or arg.startswith("/") or "\\" in arg:
        raise ValueError(f"{arg!r} must be a .py file name inside chalicelib/hooks/bundled")
    folder = FOLDER.resolve()
    path = (folder / arg).resolve()
    if not path.is_relative_to(folder):
        raise ValueError(f"{arg!r} is outside the bundle's hooks folder")
    return path


def _load_file(path: Path):
    if not path.is_file():
        raise LoadError(f"the file {path.name} is no longer in the bundle's hooks folder")
    stat = path.stat()
    name = f"herald_hook_file_{re.sub(r'[^A-Za-z0-9_]', '_', path.stem)}_{stat.st_mtime_ns}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
    return module
