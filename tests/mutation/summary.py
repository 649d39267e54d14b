import json, sys, collections
for name in sys.argv[1:]:
    d = json.load(open(name))
    c = collections.Counter(v["status"] for v in d.values())
    print(name, len(d), dict(c))
    for k, v in sorted(d.items(), key=lambda kv: int(kv[0])):
        if v["status"] not in ("killed",):
            print("  ", k, v["line"], v["desc"], v["status"], v.get("secs"), v.get("ntests"))
