"""``python -m derivations``: the same as ``verified-backprop verify``."""

import os
import sys

from derivations.report import main

if __name__ == "__main__":
    try:
        status = main(sys.argv[1:])
        sys.stdout.flush()  # here, so that a reader gone at the last write is caught too
    except BrokenPipeError:  # the reader went away (``python -m derivations --list | head``):
        # exit as a process stopped by SIGPIPE does, with no traceback at the final flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 128 + 13
    except KeyboardInterrupt:  # Ctrl-C: one line, no traceback, the shell's status 130
        print("\npython -m derivations: interrupted (Ctrl-C); stopped.", file=sys.stderr)
        status = 130
    sys.exit(status)
