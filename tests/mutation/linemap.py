"""pytest plugin: which lines of the target modules each test executes (for test selection
per mutant).  Targets: env LINEMAP_TARGETS (comma-separated path suffixes); output: env
LINEMAP_OUT (JSON {nodeid: {suffix: [lines]}})."""
import json
import os
import sys
import threading
import time

import pytest

TARGETS = tuple(os.environ["LINEMAP_TARGETS"].split(","))
_current: dict | None = None
_data: dict = {}
_cache: dict = {}


def _which(filename):
    try:
        return _cache[filename]
    except KeyError:
        hit = next((t for t in TARGETS if filename.endswith(t)), None)
        _cache[filename] = hit
        return hit


def _global(frame, event, arg):
    target = _which(frame.f_code.co_filename)
    if target is None or _current is None:
        return None
    lines = _current.setdefault(target, set())
    lines.add(frame.f_lineno)

    def local(frame, event, arg):
        lines.add(frame.f_lineno)
        return local

    return local


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    global _current
    _current = {}
    t0 = time.time()
    sys.settrace(_global)
    threading.settrace(_global)
    try:
        yield
    finally:
        sys.settrace(None)
        threading.settrace(None)
        _data[item.nodeid] = {k: sorted(v) for k, v in _current.items()}
        _data[item.nodeid]['_secs'] = round(time.time() - t0, 2)
        _current = None


def pytest_sessionfinish(session):
    json.dump(_data, open(os.environ["LINEMAP_OUT"], "w"))
