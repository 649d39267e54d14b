"""Fast fork server: the project and the test modules imported once (originals); per mutant a
forked child patches the mutated module in memory (each function's code object replaced by
the mutant's, changed module-level values rebound everywhere they were imported), then runs
pytest on the given tests.  stdin: JSON {"src": path, "tests": [...]}; stdout: status line.

usage: forkfast.py WORKDIR MODULE(path) TIMEOUT TESTFILES...
"""
import contextlib, functools, importlib, io, json, os, signal, sys, time, types

wdir, module_path, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
test_files = sys.argv[4:]
os.chdir(wdir); sys.path.insert(0, wdir)
os.environ.update(PYTHONDONTWRITEBYTECODE="1")
import hypothesis
from hypothesis import HealthCheck, settings
settings.register_profile("mut", derandomize=True, database=None, max_examples=10, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
os.environ["HYPOTHESIS_PROFILE"] = "mut"
import pytest

modname = module_path[:-3].replace("/", ".")
# import the tests (and through them the project) once, as pytest would
out = io.StringIO()
with contextlib.redirect_stdout(out):
    pytest.main(["--collect-only", "-q", "-W", "ignore::pytest.PytestAssertRewriteWarning", "-n", "0", "-p", "no:randomly", "-p", "no:cacheprovider", *test_files])
target = importlib.import_module(modname)
print("ready", flush=True)

_SKIP = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)


def _unwrap(f):
    while hasattr(f, "__wrapped__"):
        f = f.__wrapped__
    return f


def patch(src):
    new = {"__name__": modname, "__file__": target.__file__, "__builtins__": __builtins__}
    exec(compile(src, target.__file__, "exec"), new)
    for name, old in list(vars(target).items()):
        if name.startswith("__") or name not in new:
            continue
        fresh = new[name]
        o, n = _unwrap(old), _unwrap(fresh)
        if isinstance(o, types.FunctionType) and isinstance(n, types.FunctionType):
            if o.__module__ == modname:
                o.__code__ = n.__code__
                o.__defaults__ = n.__defaults__
                o.__kwdefaults__ = n.__kwdefaults__
                if hasattr(old, "cache_clear"):
                    old.cache_clear()
            continue
        if isinstance(old, type):
            if old.__module__ != modname:
                continue
            for attr, value in vars(old).items():
                nv = vars(fresh).get(attr)
                for a, b in ((value, nv),):
                    if isinstance(a, (staticmethod, classmethod)):
                        a, b = a.__func__, getattr(b, "__func__", None)
                    if isinstance(a, property):
                        for part in ("fget", "fset", "fdel"):
                            pa, pb = getattr(a, part), getattr(b, part, None)
                            if pa is not None and pb is not None:
                                pa.__code__ = pb.__code__
                        continue
                    a, b = _unwrap(a), _unwrap(b) if b is not None else None
                    if isinstance(a, types.FunctionType) and isinstance(b, types.FunctionType) and a.__module__ == modname:
                        a.__code__ = b.__code__
                        a.__defaults__ = b.__defaults__
                        a.__kwdefaults__ = b.__kwdefaults__
            continue
        if isinstance(old, _SKIP) or callable(old) and not isinstance(old, (tuple, list, dict)):
            continue
        try:
            same = type(old) is type(fresh) and bool(old == fresh)
        except Exception:
            same = False
        if same:
            continue
        for m in list(sys.modules.values()):
            if getattr(m, "__name__", "").startswith(("derivations", "test", "conftest")):
                try:
                    if vars(m).get(name) is old:
                        setattr(m, name, fresh)
                except TypeError:
                    pass


for line in sys.stdin:
    request = json.loads(line)
    src, tests = open(request["src"]).read(), request["tests"]
    t = time.time()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        signal.alarm(timeout)
        try:
            patch(src)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = pytest.main(["-x", "-q", "-n", "0", "-p", "no:randomly", "-p", "no:cacheprovider",
                                    "-W", "ignore::pytest.PytestAssertRewriteWarning", *tests])
            fails = [l for l in out.getvalue().splitlines() if l.startswith(("FAILED", "ERROR"))][:1]
            os.write(w, (f"{int(code)}\t{fails[0] if fails else ''}").encode()[:3000])
        except BaseException as e:
            os.write(w, f"99\tEXC {type(e).__name__}: {e}".encode()[:3000])
        os._exit(0)
    os.close(w)
    _, status = os.waitpid(pid, 0)
    data = b""
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        data += chunk
    os.close(r)
    dt = time.time() - t
    if os.WIFSIGNALED(status):
        res = f"timeout\t{dt:.1f}\t"
    else:
        code, _, fail = data.decode(errors="replace").partition("\t")
        st = {"0": "survived", "1": "killed"}.get(code, f"error{code}")
        res = f"{st}\t{dt:.1f}\t{fail.replace(chr(10), ' ')}"
    print(res, flush=True)
