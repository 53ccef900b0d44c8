"""``python -m sample_data.generate``: see the package's description."""

from sample_data.generate import main

raise SystemExit(main())
