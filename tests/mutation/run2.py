"""Run every AST mutant of one module against the tests that execute the mutated statement.

usage: run.py MODULE MAPS(comma) OUT.json WORKERS TIMEOUT [ALLTESTS_FILE] [ONLY_IDS_JSON]
Tests per mutant: those whose recorded lines (linemap.py) meet the innermost statement
holding the mutated node, fastest first; a mutant outside any function gets every mapped
test.  No covering test: status 'uncovered' (a survivor, not run)."""
import ast, json, os, subprocess, sys, threading, time
from concurrent.futures import ThreadPoolExecutor
sys.path.insert(0, "/tmp/mut2")
import mutate

def stmt_ranges(tree):
    """node index (walk order) -> (lo, hi, in_function)"""
    nodes = list(ast.walk(tree))
    parent = {}
    for n in ast.walk(tree):
        for ch in ast.iter_child_nodes(n):
            parent[id(ch)] = n
    out = {}
    for i, n in enumerate(nodes):
        s, infunc = n, False
        while not isinstance(s, ast.stmt) and id(s) in parent:
            s = parent[id(s)]
        p = s
        while id(p) in parent:
            p = parent[id(p)]
            if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                infunc = True; break
        if isinstance(n, (ast.FunctionDef,)):
            infunc = False
        out[i] = (getattr(s, "lineno", 0), getattr(s, "end_lineno", 0), infunc)
    return out

def main():
    module, maps, out_json, workers, timeout = sys.argv[1], sys.argv[2].split(","), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    only = json.loads(sys.argv[6]) if len(sys.argv) > 6 else None
    suffix = module.split("derivations/")[-1]
    linemap = {}
    for m in maps:
        linemap.update(json.load(open(m)))
    secs = {t: v.get("_secs", 1) for t, v in linemap.items()}
    lines = {t: set(v.get(suffix, ())) for t, v in linemap.items()}
    src = open(os.path.join(os.environ.get("MUT_SRC", "/work/wt-mutants2"), module)).read()
    tree = ast.parse(src)
    cands = mutate.candidates(tree)
    ranges = stmt_ranges(tree)
    baseline = ast.unparse(tree)
    results = json.load(open(out_json)) if os.path.exists(out_json) else {}
    todo = []
    for n, c in enumerate(cands):
        if only is not None and n not in only: continue
        if only is None and str(n) in results: continue
        m = mutate.make_mutant(src, c)
        if m == baseline:
            if fail.startswith(("FAILED ", "ERROR ")):
                t = fail.split(" ", 1)[1].split(" - ")[0]
                kills[t] = kills.get(t, 0) + 1
            results[str(n)] = dict(line=c[2], desc=c[3], status="noop"); continue
        lo, hi, infunc = ranges[c[0]]
        if infunc:
            tests = [t for t in linemap if any(lo <= l <= hi for l in lines[t])]
        else:
            tests = list(linemap)
        tests.sort(key=lambda t: secs[t])
        if not tests:
            if fail.startswith(("FAILED ", "ERROR ")):
                t = fail.split(" ", 1)[1].split(" - ")[0]
                kills[t] = kills.get(t, 0) + 1
            results[str(n)] = dict(line=c[2], desc=c[3], status="uncovered"); continue
        todo.append((n, c, m, tests))
    json.dump(results, open(out_json, "w"), indent=1)
    print(f"{len(cands)} candidates, {len(todo)} to run", flush=True)
    lock = threading.Lock(); free = list(range(workers)); servers = {}
    for w in range(workers):
        d = f"/tmp/mut2/{os.environ.get('WPREFIX', 'w')}{w}"
        args = ["nice", "-n", "19", sys.executable, "/tmp/mut2/forkfast.py", d, module, str(timeout), *sorted({t.split("::")[0] for t in linemap})]
        p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=d)
        assert p.stdout.readline().strip() == "ready"
        servers[w] = p
    kills = {}
    for seed in os.environ.get("SEED_JSON", "").split(","):
        if seed and os.path.exists(seed):
            for r in json.load(open(seed)).values():
                f = r.get("fail", "")
                f = f[0] if isinstance(f, list) and f else f
                if isinstance(f, str) and f.startswith(("FAILED ", "ERROR ")):
                    t = f.split(" ", 1)[1].split(" - ")[0]
                    kills[t] = kills.get(t, 0) + 1
    def run(item):
        n, c, m, tests = item
        with lock:
            tests = sorted(tests, key=lambda t: (-kills.get(t, 0), secs[t]))
        with lock: w = free.pop()
        try:
            path = f"/tmp/mut2/{os.environ.get('WPREFIX', 'w')}m{w}.py"
            open(path, "w").write(m)
            p = servers[w]
            p.stdin.write(json.dumps({"src": path, "tests": tests}) + "\n"); p.stdin.flush()
            status, dt, fail = p.stdout.readline().rstrip("\n").split("\t", 2)
        finally:
            with lock: free.append(w)
        with lock:
            if fail.startswith(("FAILED ", "ERROR ")):
                t = fail.split(" ", 1)[1].split(" - ")[0]
                kills[t] = kills.get(t, 0) + 1
            results[str(n)] = dict(line=c[2], desc=c[3], status=status, secs=float(dt), ntests=len(tests), fail=fail[:300])
            json.dump(results, open(out_json, "w"), indent=1)
        print(n, c[2], c[3], status, dt, len(tests), fail[:150], flush=True)
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(run, todo))
    for p in servers.values():
        p.stdin.close()
    # restore the originals
    for w in range(workers):
        pass

if __name__ == "__main__":
    main()
