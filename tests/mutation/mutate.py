"""AST mutation testing: one mutant at a time, run in copies of the worktree."""
import ast, copy, json, os, shutil, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor

CMP_SWAP = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt,
            ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In,
            ast.Is: ast.IsNot, ast.IsNot: ast.Is}
BIN_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr,
            ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Mult, ast.Mod: ast.Mult}
CALL_SWAP = {"any": "all", "all": "any", "max": "min", "min": "max"}

def docstring_nodes(tree):
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            if n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant) and isinstance(n.body[0].value.value, str):
                out.add(id(n.body[0])); out.add(id(n.body[0].value))
    return out

def in_fstring_or_annotation(tree):
    skip = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.JoinedStr):
            for m in ast.walk(n): skip.add(id(m))
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for a in n.args.args + n.args.kwonlyargs + n.args.posonlyargs:
                if a.annotation is not None:
                    for m in ast.walk(a.annotation): skip.add(id(m))
            if n.returns is not None:
                for m in ast.walk(n.returns): skip.add(id(m))
        if isinstance(n, ast.AnnAssign):
            for m in ast.walk(n.annotation): skip.add(id(m))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in {"UnsupportedConstructError", "ValueError", "TypeError", "RuntimeError", "AssertionError"}:
            pass
    return skip

def candidates(tree):
    """list of (node_path_index, kind, description) — enumerated by walk order."""
    docs = docstring_nodes(tree); skip = in_fstring_or_annotation(tree)
    out = []
    nodes = list(ast.walk(tree))
    infunc = set()
    for f in nodes:
        if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for m in ast.walk(f): infunc.add(id(m))
    in_func = lambda n: id(n) in infunc
    for i, n in enumerate(nodes):
        if id(n) in docs or id(n) in skip: continue
        ln = getattr(n, "lineno", 0)
        if isinstance(n, ast.Compare):
            for j, op in enumerate(n.ops):
                if type(op) in CMP_SWAP:
                    out.append((i, ("cmp", j), ln, f"{type(op).__name__}->{CMP_SWAP[type(op)].__name__}"))
        elif isinstance(n, ast.BoolOp):
            out.append((i, ("boolop",), ln, "and<->or"))
        elif isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not):
            out.append((i, ("unnot",), ln, "drop not"))
        elif isinstance(n, (ast.If, ast.IfExp, ast.While)) and not isinstance(n.test, (ast.Compare, ast.UnaryOp)):
            out.append((i, ("negtest",), ln, "negate condition"))
        elif isinstance(n, ast.Assert):
            out.append((i, ("negtest",), ln, "negate assert"))
        elif isinstance(n, ast.Constant) and not isinstance(n.value, str) and not isinstance(n.value, bytes):
            if isinstance(n.value, bool):
                out.append((i, ("const", not n.value), ln, f"{n.value}->{not n.value}"))
            elif isinstance(n.value, (int, float)):
                out.append((i, ("const", n.value + 1), ln, f"{n.value}->{n.value+1}"))
                if n.value != 0:
                    out.append((i, ("const", 0), ln, f"{n.value}->0"))
        elif isinstance(n, ast.BinOp) and type(n.op) in BIN_SWAP:
            out.append((i, ("binop",), ln, f"{type(n.op).__name__}->{BIN_SWAP[type(n.op)].__name__}"))
        elif isinstance(n, ast.AugAssign) and type(n.op) in BIN_SWAP:
            out.append((i, ("augop",), ln, f"aug {type(n.op).__name__}->{BIN_SWAP[type(n.op)].__name__}"))
            out.append((i, ("stmtpass",), ln, "delete assignment"))
        elif isinstance(n, ast.Return) and n.value is not None and not (isinstance(n.value, ast.Constant) and n.value.value is None):
            out.append((i, ("retnone",), ln, "return None"))
        elif isinstance(n, ast.Raise):
            out.append((i, ("stmtpass",), ln, "raise -> pass"))
        elif isinstance(n, ast.Expr) and id(n) not in docs:
            out.append((i, ("stmtpass",), ln, "expr stmt -> pass"))
        elif isinstance(n, (ast.Assign, ast.AugAssign)) and in_func(n):
            out.append((i, ("stmtpass",), ln, "delete assignment"))
        elif isinstance(n, (ast.Continue, ast.Break)):
            out.append((i, ("stmtpass",), ln, f"{type(n).__name__} -> pass"))
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
            if n.func.id in CALL_SWAP:
                out.append((i, ("callswap",), ln, f"{n.func.id}->{CALL_SWAP[n.func.id]}"))
            if n.func.id in {"reversed", "sorted"} and len(n.args) == 1:
                out.append((i, ("unwrap",), ln, f"drop {n.func.id}()"))
    return out

class Apply(ast.NodeTransformer):
    def __init__(self, target, kind):
        self.target, self.kind, self.i = target, kind, -1
        self.order = None
    def run(self, tree):
        nodes = list(ast.walk(tree))
        self.node = nodes[self.target]
        return self.visit(tree)
    def generic_visit(self, node):
        super().generic_visit(node)
        if node is not self.node: return node
        k = self.kind
        if k[0] == "cmp":
            node.ops[k[1]] = CMP_SWAP[type(node.ops[k[1]])](); return node
        if k[0] == "boolop":
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And(); return node
        if k[0] == "unnot": return node.operand
        if k[0] == "negtest":
            node.test = ast.UnaryOp(op=ast.Not(), operand=node.test); return node
        if k[0] == "const": return ast.Constant(value=k[1])
        if k[0] == "binop": node.op = BIN_SWAP[type(node.op)](); return node
        if k[0] == "augop": node.op = BIN_SWAP[type(node.op)](); return node
        if k[0] == "retnone": node.value = ast.Constant(value=None); return node
        if k[0] == "stmtpass": return ast.Pass()
        if k[0] == "callswap": node.func = ast.Name(id=CALL_SWAP[node.func.id], ctx=ast.Load()); return node
        if k[0] == "unwrap": return node.args[0]
        raise ValueError(k)

def make_mutant(src, cand):
    tree = ast.parse(src)
    i, kind, ln, desc = cand
    new = Apply(i, kind).run(tree)
    ast.fix_missing_locations(new)
    return ast.unparse(new)

def main():
    module, tests_file, out_json, workers, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    only = json.loads(sys.argv[6]) if len(sys.argv) > 6 else None
    src = open(os.path.join(os.environ.get("MUT_SRC", "/work/wt-mutants2"), module)).read()
    tree = ast.parse(src)
    cands = candidates(tree)
    baseline = ast.unparse(tree)
    tests = open(tests_file).read().split()
    results = {}
    if os.path.exists(out_json): results = json.load(open(out_json))
    todo = []
    for n, c in enumerate(cands):
        key = str(n)
        if only is not None and n not in only: continue
        if any(k in c[3] for k in os.environ.get("SKIP_KINDS", "\0").split(",")): continue
        if only is None and key in results: continue
        m = make_mutant(src, c)
        if m == baseline: results[key] = dict(line=c[2], desc=c[3], status="noop"); continue
        todo.append((n, c, m))
    if os.environ.get("SHUFFLE"):
        import random; random.Random(int(os.environ["SHUFFLE"])).shuffle(todo)
        if os.environ.get("REVERSE"): todo.reverse()
    print(f"{len(cands)} candidates, {len(todo)} to run", flush=True)
    free = list(range(workers))
    import threading; lock = threading.Lock()
    servers = {}
    for w in range(workers):
        if not todo: break
        p = subprocess.Popen(["nice", "-n", "19", sys.executable, "/tmp/mut2/forkrun.py", f"/tmp/mut2/w{w + int(os.environ.get('WBASE', 0))}", module, str(int(timeout)), os.path.abspath(tests_file)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=f"/tmp/mut2/w{w + int(os.environ.get('WBASE', 0))}")
        assert p.stdout.readline().strip() == "ready"
        servers[w] = p
    def run(item):
        n, c, m = item
        with lock: w = free.pop()
        d = f"/tmp/mut2/w{w + int(os.environ.get('WBASE', 0))}"
        try:
            open(f"/tmp/mut2/m{w + int(os.environ.get('WBASE', 0))}.py", "w").write(m)
            p = servers[w]
            p.stdin.write(f"/tmp/mut2/m{w + int(os.environ.get('WBASE', 0))}.py\n"); p.stdin.flush()
            status, dt, fail = p.stdout.readline().rstrip("\n").split("\t", 2)
            dt = float(dt); tail = [fail] if fail else []
        finally:
            with lock: free.append(w)
        with lock:
            results[str(n)] = dict(line=c[2], desc=c[3], status=status, secs=round(dt, 1), fail=tail)
            json.dump(results, open(out_json, "w"), indent=1)
        print(n, c[2], c[3], status, round(dt, 1), tail[:1], flush=True)
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(run, todo))
    json.dump(results, open(out_json, "w"), indent=1)

if __name__ == "__main__":
    main()
