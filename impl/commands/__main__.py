"""``python -m impl.commands``: the same as ``verified-backprop``."""

from impl.commands import main

raise SystemExit(main())
