"""``python -m paretoprice``: the same as the ``paretoprice`` command."""

from paretoprice.app.cli import main

raise SystemExit(main())
